/**
 * The listing's body from kept per-app fragments (issue 12) is the text Koa would make
 * of the listed apps' summaries (ADR 0007), or of the whole Apps with `full`, and a
 * changed App or runtime view shows its change.
 */
import test from 'ava';
import { createAppListBody } from '../../../../controller/api/app-list-body.ts';
import { withListStatus, withLiveStatus } from '../../../../controller/api/routes/apps.ts';
import type { App } from '../../../../core/types.ts';
import { appSummary } from '../../../../core/app-summary.ts';
import type { Runtime, RuntimeAppStatus } from '../../../../core/ports/runtime.ts';

const release = { number: 1, stageId: 's1', image: 'img:1', blobuid: 'b1', createdAt: '2026-01-01T00:00:00Z' };
const app = (name: string, extra: Partial<App['status']> = {}, instances = 1): App => ({
  metadata: { namespace: 'ws', name, resourceVersion: '1', generation: 1, createdAt: '2026-01-01T00:00:00Z' },
  spec: { instances, env: { A: 'b' }, routes: [`${name}.example.com`] },
  status: { release, ...extra },
});

/** A runtime whose cached view is `views` (absent names ask `status`), counting live reads. */
function fakeRuntime(views: Map<string, RuntimeAppStatus>) {
  let live = 0;
  const runtime = {
    cachedStatus: (_ns: string, name: string) => views.get(name),
    status: async () => { live++; return { phase: 'running', desired: 1, ready: 1, restarts: 7, stageId: 's1' } as RuntimeAppStatus; },
  } as unknown as Runtime;
  return { runtime, live: () => live };
}

const shown = async (apps: App[], runtime: Runtime) => Promise.all(apps.map((a) => withListStatus(a, runtime)));
const expected = async (apps: App[], runtime: Runtime) => JSON.stringify((await shown(apps, runtime)).map(appSummary));

test('the body is the JSON of the listed apps, with cached, live and no runtime views alike', async (t) => {
  const views = new Map<string, RuntimeAppStatus>([['a', { phase: 'running', desired: 1, ready: 1, restarts: 0, stageId: 's1' }]]);
  const { runtime, live } = fakeRuntime(views);
  const apps = [app('a', { runtime: { phase: 'running', desired: 1, ready: 1, restarts: 3 } }), app('b'), { ...app('c'), status: {} }];
  const chunks = createAppListBody(runtime, (a) => withLiveStatus(a, runtime));
  const body = async (apps: App[]) => Buffer.concat(await chunks(apps)).toString();
  const text = await body(apps);
  t.is(text, await expected(apps, runtime));
  t.is(JSON.parse(text)[0].status.runtime.restarts, 3, 'restarts as the App recorded them');
  t.is(await body([]), '[]');
  t.true(live() >= 1, 'b has no cached view: the runtime was asked');
});

test('a kept fragment is made anew when the App object or its runtime view changes', async (t) => {
  const views = new Map<string, RuntimeAppStatus>([['a', { phase: 'running', desired: 1, ready: 1, restarts: 0 }], ['b', { phase: 'running', desired: 1, ready: 1, restarts: 0 }]]);
  const { runtime } = fakeRuntime(views);
  const chunks = createAppListBody(runtime, (a) => withLiveStatus(a, runtime));
  const body = async (apps: App[]) => Buffer.concat(await chunks(apps)).toString();
  const a = app('a');
  let b = app('b');
  t.is(await body([a, b]), await expected([a, b], runtime));
  // A new App object (the store hands one out per resourceVersion) with another spec.
  b = app('b', {}, 3);
  views.set('a', { phase: 'degraded', desired: 2, ready: 1, restarts: 0, message: 'one pod is not ready' });
  const text = await body([a, b]);
  t.is(text, await expected([a, b], runtime));
  const [shownA, shownB] = JSON.parse(text);
  t.is(shownB.spec.instances, 3);
  t.is(shownA.status.runtime.phase, 'degraded');
});

const run = (id: string, phase: 'succeeded' | 'failed', finishedAt: string) => ({ id, kind: 'deploy' as const, phase, startedAt: '2026-01-01T00:00:00Z', finishedAt });

test('an item is the summary: no runs, releases or closed previews, the latest run, the serving release and when it last deployed', async (t) => {
  const views = new Map<string, RuntimeAppStatus>([['a', { phase: 'running', desired: 1, ready: 1, restarts: 0 }]]);
  const { runtime } = fakeRuntime(views);
  const runs = [run('r3', 'failed', '2026-01-03T00:00:00Z'), run('r2', 'succeeded', '2026-01-02T00:00:00Z'), run('r1', 'succeeded', '2026-01-01T00:01:00Z')];
  const a = app('a', { run: runs[0], runs, releases: [release], urls: ['http://a.example.com'], previews: { closed: [{ number: 4, at: '2026-01-02T00:00:00Z' }] } });
  const chunks = createAppListBody(runtime, (x) => withLiveStatus(x, runtime));
  const [item] = JSON.parse(Buffer.concat(await chunks([a])).toString());
  t.false('runs' in item.status);
  t.false('releases' in item.status);
  t.false('previews' in item.status, 'nor the closed pull requests a parent remembers');
  t.like(item.status, { run: { id: 'r3' }, release: { number: 1 }, urls: ['http://a.example.com'], runtime: { phase: 'running' }, lastDeployedAt: '2026-01-02T00:00:00Z' });
  // Never deployed by a run that succeeded (all kept runs failed): the release's build.
  const [failedOnly] = JSON.parse(Buffer.concat(await chunks([app('b', { runs: [runs[0]!] })])).toString());
  t.is(failedOnly.status.lastDeployedAt, release.createdAt);
  const [fresh] = JSON.parse(Buffer.concat(await chunks([{ ...app('c'), status: {} }])).toString());
  t.deepEqual(fresh.status, {}, 'an app never deployed has no lastDeployedAt');
});

test('history "full" gives the whole Apps, and does not replace the kept summaries', async (t) => {
  const views = new Map<string, RuntimeAppStatus>([['a', { phase: 'running', desired: 1, ready: 1, restarts: 0 }]]);
  const { runtime } = fakeRuntime(views);
  const runs = [run('r1', 'succeeded', '2026-01-01T00:01:00Z')];
  const apps = [app('a', { run: runs[0], runs, releases: [release] }), app('b', { runs, releases: [release] }), { ...app('c'), status: { runs } }];
  const chunks = createAppListBody(runtime, (x) => withLiveStatus(x, runtime));
  const text = async (history?: 'full') => Buffer.concat(await chunks(apps, history)).toString();
  t.is(await text(), await expected(apps, runtime));
  t.is(await text('full'), JSON.stringify(await shown(apps, runtime)));
  t.is(JSON.parse(await text('full'))[0].status.runs.length, 1);
  t.is(await text(), await expected(apps, runtime), 'the summaries again after a full listing');
});
