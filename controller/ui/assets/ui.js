// Slipway dashboard script: plain JavaScript, no framework, no build step. Every action
// goes through the JSON API (/api/v1) with the session cookie and the CSRF token, so the
// dashboard and the CLI share one implementation of each. Data is drawn with DOM calls
// (never innerHTML), live views poll the API and stream its NDJSON logs.
'use strict';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const main = document.getElementById('main');
const enc = encodeURIComponent;

/** An error the API answered with: Slipway's code and message. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; a problem answer throws an ApiError, a lost session goes to sign-in. */
async function api(method, path, body) {
  const headers = { accept: 'application/json', 'x-csrf-token': csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, 'network_error', `the server could not be reached (${error.message})`);
  }
  if (response.status === 401) {
    location.assign(`/ui/login?next=${enc(location.pathname + location.search)}`);
    throw new ApiError(401, 'unauthorized', 'the session has ended; sign in again');
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, json?.code ?? 'http_' + response.status, json?.detail ?? response.statusText);
  return json;
}

/** Shows an error with its code in the alert region; nothing fails silently. */
function showError(error) {
  const box = document.getElementById('errors');
  const code = error instanceof ApiError ? error.code : 'script_error';
  const line = el('p', {}, el('code', {}, code), `: ${error.message}`);
  box.replaceChildren(line);
}
function clearError() {
  document.getElementById('errors')?.replaceChildren();
}

/** Creates an element: `el('a', {href}, 'text', child)`. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false || value === null) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
  return node;
}

const short = (sha) => (sha ? sha.slice(0, 7) : '');
function when(iso) {
  if (!iso) return '—';
  return el('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString());
}
/** The phase a user cares about: the run's while one is under way or failed, else the instances'. */
function phaseOf(app) {
  const run = app.status.run;
  if (run && (run.phase !== 'succeeded' || !app.status.runtime)) return run.phase;
  return app.status.runtime?.phase ?? run?.phase ?? 'new';
}
/** When the app last changed what it serves: its newest successful run, else its release's build. */
const lastDeploy = (app) => (app.status.runs ?? []).find((r) => r.phase === 'succeeded')?.finishedAt ?? app.status.release?.createdAt;
const phaseCell = (phase) => el('span', { class: `phase-${phase}` }, phase);
const urlLinks = (urls) => (urls?.length ? urls.map((url, i) => [i ? ' ' : '', el('a', { href: url, rel: 'noopener' }, url)]) : '—');
const revision = (r) => (r?.revision ? [el('code', {}, short(r.revision)), r.branch ? ` (${r.branch})` : ''] : r?.branch ?? '—');

/** Runs `task` now and every `ms` until the page goes away; a failure shows once per change. */
function poll(ms, task) {
  let last = '';
  const tick = async () => {
    try {
      await task();
      if (last) clearError();
      last = '';
    } catch (error) {
      if (error.message !== last) showError(error);
      last = error.message;
    }
    setTimeout(tick, ms);
  };
  tick();
}

/** Streams an NDJSON log into `pre` until `signal` aborts; `paused()` holds lines back. */
async function streamLog(path, pre, signal, paused = () => false) {
  const response = await fetch(`/api/v1${path}`, { headers: { accept: 'application/x-ndjson', 'x-csrf-token': csrf }, signal, credentials: 'same-origin' });
  if (!response.ok) {
    const json = await response.json().catch(() => ({}));
    throw new ApiError(response.status, json.code ?? 'http_' + response.status, json.detail ?? response.statusText);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  const held = [];
  const show = (line) => {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(el('span', { class: line.stream }, `${line.source ? `[${line.source}] ` : ''}${line.text}\n`));
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  };
  pre.flush = () => { while (held.length) show(held.shift()); };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value;
    const lines = rest.split('\n');
    rest = lines.pop();
    for (const text of lines) {
      if (!text.trim()) continue;
      const line = JSON.parse(text);
      if (paused()) held.push(line);
      else show(line);
    }
  }
}

// ---------------------------------------------------------------- app list

function appsPage() {
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
        el('td', {}, revision(release ?? app.status.source ?? origin)),
        el('td', {}, urlLinks(app.status.urls)),
        el('td', {}, watched),
        el('td', {}, when(lastDeploy(app))));
    }));
  });
}

// ---------------------------------------------------------------- new app

function newAppPage() {
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

// ---------------------------------------------------------------- app page

const PHASES = ['pending', 'importing', 'staging', 'deploying', 'succeeded'];

function appPage() {
  const ns = main.dataset.ns;
  const name = main.dataset.app;
  const base = `/namespaces/${enc(ns)}/applications/${enc(name)}`;
  let app;
  let buildStage;
  let buildAbort;
  let logsRelease;
  let logsAbort;
  let logsPaused = false;
  let formsDrawn = false;

  /** Runs an action, shows its error, and refreshes the page's data. */
  const act = (button, task) => async (event) => {
    event?.preventDefault();
    clearError();
    if (button) button.disabled = true;
    try {
      await task();
      await refresh(true);
    } catch (error) {
      showError(error);
    } finally {
      if (button) button.disabled = false;
    }
  };
  /** A spec change redeploys: on Kubernetes the controller does it; here the page asks for it. */
  const redeploy = async () => {
    if (main.dataset.runtime === 'kubernetes' || !app.status.release) return;
    await api('POST', `${base}/rollback`, { release: app.status.release.number });
  };

  function drawOverview() {
    const release = app.status.release;
    const origin = app.spec.origin;
    const facts = [
      ['Phase', phaseCell(phaseOf(app))],
      ['Serving release', release ? `#${release.number}` : '—'],
      ['Revision', revision(release ?? app.status.source)],
      ['Source', origin?.kind === 'git' ? [el('code', {}, origin.url), origin.revision ? ` @ ${origin.revision}` : '', origin.subdir ? ` (subdir ${origin.subdir})` : ''] : origin?.kind ?? '—'],
      ['URL', urlLinks(app.status.urls)],
      ['Last deploy', when(lastDeploy(app))],
    ];
    document.getElementById('overview').replaceChildren(...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
  }

  function drawRun() {
    const run = app.status.run;
    const list = document.getElementById('run-phases');
    const errorBox = document.getElementById('run-error');
    if (!run) {
      list.replaceChildren(el('li', {}, 'no run yet'));
      errorBox.replaceChildren();
      return;
    }
    // A failed run stopped in the phase its record reached: staging once it has a stage, deploying once it has an image.
    const stoppedAt = run.phase !== 'failed' ? run.phase : run.image && run.stageId ? 'deploying' : run.stageId || run.blobuid ? 'staging' : run.kind === 'rollback' ? 'deploying' : 'importing';
    const at = PHASES.indexOf(stoppedAt);
    list.replaceChildren(...PHASES.map((phase, i) => {
      const failed = run.phase === 'failed' && i === at;
      const state = failed ? 'failed' : i < at || run.phase === 'succeeded' ? 'done' : i === at ? 'current' : '';
      return el('li', { class: state, 'aria-current': i === at ? 'step' : undefined }, failed ? `${phase}: failed` : phase);
    }));
    errorBox.replaceChildren(run.error ? el('p', { class: 'error' }, el('code', {}, run.error.code), `: ${run.error.message}`) : el('p', { class: 'hint' }, `Run ${run.id.slice(0, 8)} (${run.kind}) ${run.phase}${run.release ? `, release #${run.release}` : ''}.`));
  }

  function followBuild() {
    const run = app.status.run;
    const stage = run?.stageId ?? app.status.release?.stageId;
    if (!stage || stage === buildStage) return;
    buildStage = stage;
    buildAbort?.abort();
    buildAbort = new AbortController();
    const pre = document.getElementById('build-log');
    pre.replaceChildren();
    streamLog(`/namespaces/${enc(ns)}/staging/${enc(stage)}/logs?follow=true`, pre, buildAbort.signal).catch((error) => {
      if (error.name !== 'AbortError') showError(error);
    });
  }

  function followLogs() {
    const release = app.status.release?.number;
    if (!release || release === logsRelease) return;
    logsRelease = release;
    logsAbort?.abort();
    logsAbort = new AbortController();
    const pre = document.getElementById('app-log');
    pre.replaceChildren();
    streamLog(`${base}/logs?follow=true&tail=100`, pre, logsAbort.signal, () => logsPaused).catch((error) => {
      if (error.name !== 'AbortError') showError(error);
    });
  }

  function drawRuns() {
    const runs = app.status.runs?.length ? app.status.runs : app.status.run ? [app.status.run] : [];
    document.getElementById('runs').replaceChildren(...runs.map((run) => el('tr', {},
      el('td', {}, el('code', { title: run.id }, run.id.slice(0, 8))),
      el('td', {}, run.kind),
      el('td', {}, phaseCell(run.phase)),
      el('td', {}, revision(run)),
      el('td', {}, run.release ? `#${run.release}` : '—'),
      el('td', {}, when(run.startedAt)),
      el('td', {}, when(run.finishedAt)),
      el('td', {}, run.error ? el('div', { class: 'error' }, el('code', {}, run.error.code), `: ${run.error.message}`) : ''))));
  }

  function drawReleases() {
    const current = app.status.release?.number;
    document.getElementById('releases').replaceChildren(...(app.status.releases ?? []).map((release) => {
      const button = release.number === current ? el('span', {}, 'serving') : el('button', { type: 'button', class: 'secondary', 'data-release': release.number }, `Roll back to #${release.number}`);
      if (button.tagName === 'BUTTON') button.addEventListener('click', act(button, () => api('POST', `${base}/rollback`, { release: release.number })));
      return el('tr', {}, el('td', {}, `#${release.number}`), el('td', {}, revision(release)), el('td', {}, when(release.createdAt)), el('td', {}, button));
    }));
  }

  function drawInstances() {
    const live = app.status.runtime;
    document.getElementById('instances-state').textContent = live
      ? `${live.ready} of ${live.desired} ready, ${live.restarts} restarts — ${live.phase}${live.message ? `: ${live.message}` : ''}`
      : 'No instances are running.';
  }

  /** The editable sections are drawn when the data comes and after the user's own changes, not while they type. */
  function drawForms() {
    const instances = document.getElementById('instances');
    if (document.activeElement !== instances) instances.value = app.spec.instances;
    const env = Object.entries(app.spec.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
    document.getElementById('env').replaceChildren(...env.map(([key, value]) => {
      const MASK = '••••••••';
      const shown = el('code', { 'data-env': key }, MASK);
      const cell = el('td', {}, shown);
      const reveal = el('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', 'aria-label': `Reveal ${key}` }, 'Reveal');
      reveal.addEventListener('click', () => {
        const hidden = shown.textContent === MASK;
        shown.textContent = hidden ? value : MASK;
        reveal.textContent = hidden ? 'Hide' : 'Reveal';
        reveal.setAttribute('aria-pressed', String(hidden));
      });
      const change = el('button', { type: 'button', class: 'secondary', 'aria-label': `Change ${key}` }, 'Change');
      change.addEventListener('click', () => {
        const input = el('input', { type: 'text', value, 'aria-label': `New value of ${key}`, autocomplete: 'off', 'data-env-input': key });
        const save = el('button', { type: 'button' }, 'Save');
        save.addEventListener('click', act(save, () => writeEnv({ ...app.spec.env, [key]: input.value })));
        cell.replaceChildren(input, ' ', save);
        input.focus();
      });
      const remove = el('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${key}` }, 'Remove');
      remove.addEventListener('click', act(remove, () => {
        const next = { ...app.spec.env };
        delete next[key];
        return writeEnv(next);
      }));
      return el('tr', {}, el('td', {}, el('code', {}, key)), cell, el('td', {}, reveal, ' ', change, ' ', remove));
    }));
    if (!env.length) document.getElementById('env').append(el('tr', {}, el('td', { colspan: 3 }, 'No variables.')));
    const routesInput = document.getElementById('routes-input');
    if (document.activeElement !== routesInput) routesInput.value = (app.spec.routes ?? []).join('\n');
    const origin = app.spec.origin;
    const git = origin?.kind === 'git';
    document.getElementById('watch-on').checked = git && origin.watch === true;
    document.getElementById('watch-interval').value = (git && origin.interval) || '';
  }

  /** What routes and watching are now: read-only, drawn at every refresh. */
  function drawRoutesAndWatch() {
    document.getElementById('routes').replaceChildren(...(app.status.routes ?? app.spec.routes ?? []).map((route) => el('li', {}, el('code', {}, route))));
    const origin = app.spec.origin;
    const git = origin?.kind === 'git';
    for (const field of document.getElementById('watch-form').elements) field.disabled = !git;
    document.getElementById('webhook-show').disabled = !git;
    const seen = app.status.watch;
    document.getElementById('watch-state').replaceChildren(el('span', {}, !git ? 'Only apps from git can be watched.'
      : origin.watch ? [`Watching ${origin.branch ?? origin.revision ?? 'the default branch'}${origin.interval ? ` every ${origin.interval}` : ''}`, seen?.lastCheck ? ['; last check ', when(seen.lastCheck)] : '', '.', seen?.error ? el('span', { class: 'error' }, el('code', {}, seen.error.code), `: ${seen.error.message}`) : '']
        : 'Not watching.'));
  }

  async function writeEnv(environment) {
    app = await api('PATCH', base, { configuration: { environment } });
    await redeploy();
  }

  async function refresh(forms) {
    app = await api('GET', base);
    drawOverview();
    drawRun();
    drawRuns();
    drawReleases();
    drawInstances();
    drawRoutesAndWatch();
    followBuild();
    followLogs();
    if (forms || !formsDrawn) drawForms();
    formsDrawn = true;
  }

  document.getElementById('instances-form').addEventListener('submit', (event) => {
    const button = event.target.querySelector('button');
    act(button, async () => {
      app = await api('PATCH', base, { configuration: { instances: Number(document.getElementById('instances').value) } });
      await redeploy();
    })(event);
  });
  const addForm = document.getElementById('env-add');
  addForm.addEventListener('submit', (event) => {
    act(addForm.querySelector('button'), async () => {
      const key = document.getElementById('env-key').value.trim();
      await writeEnv({ ...app.spec.env, [key]: document.getElementById('env-value').value });
      addForm.reset();
    })(event);
  });
  const routesForm = document.getElementById('routes-form');
  routesForm.addEventListener('submit', (event) => {
    act(routesForm.querySelector('button'), async () => {
      const routes = document.getElementById('routes-input').value.split(/\s+/).filter(Boolean);
      app = await api('PATCH', base, { configuration: { routes } });
      await redeploy();
    })(event);
  });
  const watchForm = document.getElementById('watch-form');
  watchForm.addEventListener('submit', (event) => {
    act(watchForm.querySelector('button'), async () => {
      const interval = document.getElementById('watch-interval').value.trim();
      await api('POST', `${base}/watch`, { watch: document.getElementById('watch-on').checked, ...(interval ? { interval } : {}) });
    })(event);
  });
  const deployButton = document.getElementById('deploy-now');
  deployButton.addEventListener('click', act(deployButton, () => api('POST', `${base}/deployments`, {})));
  const webhookButton = document.getElementById('webhook-show');
  webhookButton.addEventListener('click', act(webhookButton, async () => drawWebhook(await api('GET', `${base}/webhook`))));
  const confirmInput = document.getElementById('delete-confirm');
  const deleteButton = document.getElementById('delete-button');
  confirmInput.addEventListener('input', () => { deleteButton.disabled = confirmInput.value !== name; });
  document.getElementById('delete-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (confirmInput.value !== name) return;
    deleteButton.disabled = true;
    try {
      await api('DELETE', base);
      location.assign(`/ui/?ns=${enc(ns)}`);
    } catch (error) {
      showError(error);
      deleteButton.disabled = false;
    }
  });
  const toggle = document.getElementById('logs-toggle');
  toggle.addEventListener('click', () => {
    logsPaused = !logsPaused;
    toggle.textContent = logsPaused ? 'Follow' : 'Pause';
    toggle.setAttribute('aria-pressed', String(!logsPaused));
    document.getElementById('logs-state').textContent = logsPaused ? 'Paused: new lines are held until you follow again' : 'Following';
    if (!logsPaused) document.getElementById('app-log').flush?.();
  });

  poll(1500, () => refresh(false));
}

/** Copies `text`, saying so next to the button. */
function copyButton(label, text) {
  const button = el('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed: select and copy by hand';
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
  return button;
}

function drawWebhook(hook) {
  const secret = el('code', { id: 'webhook-secret' }, '••••••••');
  const reveal = el('button', { type: 'button', class: 'secondary' }, 'Reveal secret');
  reveal.addEventListener('click', () => {
    const hidden = secret.textContent !== hook.secret;
    secret.textContent = hidden ? hook.secret : '••••••••';
    reveal.textContent = hidden ? 'Hide secret' : 'Reveal secret';
  });
  const providers = [['github', 'GitHub'], ['gitlab', 'GitLab'], ['gitea', 'Gitea / Forgejo']];
  document.getElementById('webhook').replaceChildren(
    hook.warning ? el('p', { class: 'error' }, hook.warning) : '',
    el('p', {}, 'Secret: ', secret, ' ', reveal, ' ', copyButton('Copy secret', () => hook.secret)),
    el('p', {}, `Content type ${hook.contentType}, events: ${hook.events.join(', ')}.`),
    ...providers.map(([key, label]) => el('div', { class: 'webhook-provider' },
      el('h3', {}, label),
      el('p', {}, 'Payload URL: ', el('code', {}, hook.urls[key]), ' ', copyButton(`Copy ${label} URL`, () => hook.urls[key])),
      el('p', { class: 'hint' }, hook.instructions[key]))));
}

const pages = { apps: appsPage, new: newAppPage, app: appPage };
try {
  pages[main?.dataset.page]?.();
} catch (error) {
  showError(error);
}
