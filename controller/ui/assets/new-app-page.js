// A new app from git: create it, start a deployment, open its page (which shows the progress).
import { api, clearError, showError } from './api.js';

const enc = encodeURIComponent;

/** Wires the new-app form. */
export function newAppPage() {
  const form = document.getElementById('new-app');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    const data = new FormData(form);
    const ns = data.get('namespace');
    const name = String(data.get('name')).trim();
    const origin = { kind: 'git', url: String(data.get('url')).trim() };
    for (const key of ['revision', 'subdir', 'interval']) {
      const value = String(data.get(key) ?? '').trim();
      if (value) origin[key] = value;
    }
    if (data.get('watch')) origin.watch = true;
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await api('POST', `/namespaces/${enc(ns)}/applications`, { name, origin });
      await api('POST', `/namespaces/${enc(ns)}/applications/${enc(name)}/deployments`, {});
      location.assign(`/ui/namespaces/${enc(ns)}/applications/${enc(name)}`);
    } catch (error) {
      showError(error);
      button.disabled = false;
    }
  });
}
