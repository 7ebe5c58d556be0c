/**
 * The listing's body from kept per-app fragments (issue 12) is the text Koa made of the
 * listed objects before, and a changed App or runtime view shows its change.
 */
import test from 'ava';
import { createAppListBody } from '../../../../controller/api/app-list-body.ts';
import { withListStatus, withLiveStatus } from '../../../../controller/api/routes/apps.ts';
import type { App } from '../../../../core/types.ts';
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

const expected = async (apps: App[], runtime: Runtime) => JSON.stringify(await Promise.all(apps.map((a) => withListStatus(a, runtime))));

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
