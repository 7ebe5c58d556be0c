// Slipway dashboard script: plain JavaScript modules, no framework, no build step. Every
// action goes through the JSON API (/api/v1) with the session cookie and the CSRF token,
// so the dashboard and the CLI share one implementation of each. `data-page` on <main>
// says which page this is.
import { showError } from './api.js';
import { appsPage } from './apps-page.js';
import { newAppPage } from './new-app-page.js';
import { appPage } from './app-page.js';

const main = document.getElementById('main');
const pages = { apps: appsPage, new: newAppPage, app: appPage };
try {
  pages[main?.dataset.page]?.(main);
} catch (error) {
  showError(error);
}
