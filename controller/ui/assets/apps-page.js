// The app list: the namespace's apps from the API, redrawn every 2 s.
import { api, poll } from './api.js';
import { el, lastDeploy, phaseCell, phaseOf, revision, urlLinks, when } from './dom.js';

const enc = encodeURIComponent;

/** Fills and keeps current the list of `main.dataset.ns`. */
export function appsPage(main) {
  const ns = main.dataset.ns;
  const body = document.getElementById('apps-body');
  poll(2000, async () => {
    const apps = await api('GET', `/namespaces/${enc(ns)}/applications`);
    apps.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (!apps.length) {
      body.replaceChildren(el('tr', {}, el('td', { colspan: 7 }, 'No apps yet. ', el('a', { href: `/ui/new?ns=${enc(ns)}` }, 'Create one from git'), '.')));
      return;
    }
    body.replaceChildren(...apps.map((app) => {
      const name = app.metadata.name;
      const release = app.status.release;
      const origin = app.spec.origin;
      const watched = origin?.kind === 'git' && origin.watch ? `yes (${origin.interval ?? 'default interval'})` : 'no';
      return el('tr', { 'data-app': name },
        el('td', {}, el('a', { href: `/ui/namespaces/${enc(ns)}/applications/${enc(name)}` }, name)),
        el('td', {}, phaseCell(phaseOf(app))),
        el('td', {}, release ? `#${release.number}` : '—'),
        el('td', {}, revision(release ?? app.status.source ?? (origin?.kind === 'git' ? { branch: origin.revision || origin.branch } : undefined))),
        el('td', {}, urlLinks(app.status.urls)),
        el('td', {}, watched),
        el('td', {}, when(lastDeploy(app))));
    }));
  });
}
