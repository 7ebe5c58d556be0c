// One app's page: overview, the current run, build and app logs as they stream, runs,
// releases, instances, environment, routes, watching and webhooks, deletion. Read-only
// parts redraw at every poll; forms only on load and after the user's own changes.
import { api, clearError, poll, showError, streamLog } from './api.js';
import { el, lastDeploy, phaseCell, phaseOf, revision, urlLinks, when } from './dom.js';
import { drawEnv } from './env-table.js';
import { drawWebhook } from './webhook-panel.js';

const enc = encodeURIComponent;
const PHASES = ['pending', 'importing', 'staging', 'deploying', 'succeeded'];

/** Fills the app page of `main.dataset.ns`/`main.dataset.app`, keeps it live and wires its actions. */
export function appPage(main) {
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
    drawEnv(document.getElementById('env'), app.spec.env ?? {}, act, writeEnv);
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

