/**
 * The state store reading from the informer caches (issue 12), against the fake API
 * server. A cache is made stale for good by stopping its watches after the first list:
 * what it holds then is what a cache a moment behind would hold. Whatever it holds, a
 * write is conditional on the resourceVersion it saw, so a stale one meets 409 and is
 * read again from the API server and applied again; decisions that must not act on a
 * stale view (restoring a release) read fresh.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { createKubeStateStore } from '../../../controller/adapters/kube/state/kube-state-store.ts';
import { createKubeCache, type KubeCache } from '../../../controller/adapters/kube/cache/kube-cache.ts';
import { systemClock } from '../../../core/ports/clock.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import type { App, Release } from '../../../core/types.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import { restoreApp } from '../../../controller/pipeline/restore-apps.ts';
import { createFakeRuntime } from '../../helpers/fake-runtime.ts';
import { createStageTracker } from '../../../controller/pipeline/stage-tracker.ts';
import type { PipelineDeps } from '../../../controller/pipeline/pipeline-deps.ts';
import { assertRoutesFree, basicRoutePolicy } from '../../../controller/pipeline/app-routes.ts';

const CRD = fileURLToPath(new URL('../../../charts/slipway/crds/apps.slipway.dev.yaml', import.meta.url));

const newApp = (namespace: string, name: string, routes: string[] = []): Pick<App, 'metadata' | 'spec'> => ({
  metadata: { namespace, name, resourceVersion: '', generation: 0, createdAt: '' },
  spec: { instances: 1, env: {}, routes },
});
const release = (number: number): Release => ({ number, stageId: `stage-${number}`, image: `registry/web:${number}`, blobuid: `blob-${number}`, createdAt: new Date().toISOString() });
const appRequests = (kube: FakeKube, from: number) => kube.requests.slice(from).filter((r) => r.path.includes('/apps'))
  .map((r) => `${r.method} ${r.path.replace(/^.*\/namespaces\/[^/]+\/apps/, 'apps')}`);

/** A fake with namespace team-a holding App web at release 1; `other` writes past the cache, `cached` reads a cache frozen at release 1. */
async function staleWorld(t: { teardown(fn: () => unknown): void }): Promise<{ kube: FakeKube; other: StateStore; cached: StateStore; cache: KubeCache }> {
  const kube = await startFakeKube({ crds: [CRD] });
  t.teardown(() => kube.close());
  const other = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock });
  await other.createNamespace('team-a');
  await other.createApp({ ...newApp('team-a', 'web'), status: { release: release(1), releases: [release(1)] } });
  const cache = createKubeCache({ kc: kube.kubeConfig(), logger: silentLogger, backoff: { initialMs: 10, maxMs: 50 } });
  const cached = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock, cache });
  await cache.start();
  await cache.stop(); // frozen: it keeps what it listed, and never hears of a change again
  t.teardown(() => cache.stop());
  return { kube, other, cached, cache };
}

test('a stale App cache loses no write: the write meets 409, the App is read again from the API, and the change applied to it', async (t) => {
  const { kube, other, cached } = await staleWorld(t);
  // Another replica records release 2; the cache still says 1.
  await other.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, release: release(2), releases: [release(2), release(1)] } }));
  t.is((await cached.getApp('team-a', 'web'))?.status.release?.number, 1);

  const from = kube.requests.length;
  const updated = await cached.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, observedGeneration: 7 } }));
  t.is(updated.status.release?.number, 2, 'the other replica\'s write survived');
  t.is(updated.status.observedGeneration, 7, 'and so did ours');
  t.deepEqual(appRequests(kube, from), ['PUT apps/web/status', 'GET apps/web', 'PUT apps/web/status']);
  const stored = (await other.getApp('team-a', 'web'))!;
  t.is(stored.status.release?.number, 2);
  t.is(stored.status.observedGeneration, 7);

  // What it wrote is held: the next update starts from it, with no read and no conflict.
  const next = kube.requests.length;
  await cached.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, observedGeneration: 8 } }));
  t.deepEqual(appRequests(kube, next), ['PUT apps/web/status']);
});

test('a stale App cache never puts an older release back: restoring reads the App fresh', async (t) => {
  const { other, cached } = await staleWorld(t);
  await other.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, release: release(2), releases: [release(2), release(1)] } }));
  const runtime = createFakeRuntime();
  const deps: PipelineDeps = {
    store: cached, runtime, clock: systemClock, logger: silentLogger, stages: createStageTracker(),
    systemDomain: 'apps.example.com', routePolicy: basicRoutePolicy('apps.example.com'),
  } as unknown as PipelineDeps;
  t.true(await restoreApp(deps, 'team-a', 'web'));
  t.deepEqual(runtime.deployed.map((d) => d.stageId), ['stage-2']);
  t.is((await other.getApp('team-a', 'web'))?.status.release?.number, 2);
});

test('a namespace cache a moment behind: one made since is found through the API, one deleted since takes no App', async (t) => {
  const { kube, other, cached } = await staleWorld(t);
  await other.createNamespace('team-b');
  t.like(await cached.getNamespace('team-b'), { name: 'team-b' });
  t.like(await cached.createApp(newApp('team-b', 'api')), { metadata: { namespace: 'team-b', name: 'api' } });

  await other.deleteNamespace('team-a');
  const error = await t.throwsAsync(cached.createApp(newApp('team-a', 'late')));
  t.true(isSlipwayError(error, 'namespace_not_found'), String(error));
  t.is(kube.object('slipway.dev/v1alpha1', 'App', 'team-a', 'late'), undefined);
});

test('with a synced cache, reads cost no request, and what this process wrote reads back at once', async (t) => {
  const kube = await startFakeKube({ crds: [CRD] });
  t.teardown(() => kube.close());
  const cache = createKubeCache({ kc: kube.kubeConfig(), logger: silentLogger });
  const store = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock, cache });
  await cache.start();
  t.teardown(() => cache.stop());
  await store.createNamespace('team-a');
  await store.createApp(newApp('team-a', 'web', ['web.example.com']));
  await store.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, routes: ['web.example.com'] } }));
  const from = kube.requests.length;
  // Read at once, before the watch may have brought the writes back.
  t.like(await store.getNamespace('team-a'), { name: 'team-a' });
  t.deepEqual((await store.getApp('team-a', 'web'))?.status.routes, ['web.example.com']);
  t.deepEqual((await store.listApps('team-a')).map((a) => a.metadata.name), ['web']);
  t.deepEqual((await store.appsOnHosts!(['web.example.com'])).map((a) => a.metadata.name), ['web']);
  t.deepEqual(kube.requests.slice(from).map((r) => `${r.method} ${r.path}`), []);

  await store.deleteApp('team-a', 'web');
  t.is(await store.getApp('team-a', 'web'), undefined);
  t.deepEqual(await store.listApps('team-a'), []);
});

test('route checks on Kubernetes ask the route index, not every App: served, claimed and default routes of other namespaces are found', async (t) => {
  const kube = await startFakeKube({ crds: [CRD] });
  t.teardown(() => kube.close());
  const cache = createKubeCache({ kc: kube.kubeConfig(), logger: silentLogger });
  const store = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock, cache });
  await cache.start();
  t.teardown(() => cache.stop());
  await store.createNamespace('team-a');
  await store.createNamespace('team-b');
  await store.createApp(newApp('team-a', 'shop', ['Shop.Example.com/cart']));
  await store.createApp(newApp('team-a', 'blog')); // claims blog.apps.example.com by default
  await store.updateApp('team-a', 'blog', (app) => ({ ...app, status: { ...app.status, routes: ['blog.apps.example.com'] } }));
  for (let i = 0; i < 30; i++) await store.createApp(newApp('team-a', `other-${i}`, [`other-${i}.example.com`]));
  const policy = basicRoutePolicy('apps.example.com');
  const mine = { ...newApp('team-b', 'mine'), status: {} } as App;
  const from = kube.requests.length;
  const conflict = async (routes: string[], claims = true) => (await t.throwsAsync(assertRoutesFree(store, policy, mine, routes, { claims }))) as Error;
  t.true(isSlipwayError(await conflict(['shop.example.com/cart']), 'route_conflict'), 'a claimed route');
  t.regex((await conflict(['shop.example.com/other'])).message, /belongs to namespace "team-a"/, 'a host of another namespace');
  t.true(isSlipwayError(await conflict(['blog.apps.example.com'], false), 'route_conflict'), 'a served default route');
  t.true(isSlipwayError(await conflict(['blog.apps.example.com/x']), 'route_conflict'), 'a default route claimed');
  await t.notThrowsAsync(assertRoutesFree(store, policy, mine, ['mine.example.com'], { claims: true }));
  t.deepEqual(kube.requests.slice(from), [], 'answered from the cache');
});

test('a fresh listing with a stale App cache lists what the API server holds, and reuses the cached App only at the same version', async (t) => {
  const { kube, other, cached, cache } = await staleWorld(t);
  await other.createApp({ ...newApp('team-a', 'api'), status: { release: release(1), releases: [release(1)] } });
  await other.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, release: release(2), releases: [release(2), release(1)] } }));
  const stale = await cached.listApps('team-a');
  t.deepEqual(stale.map((app) => [app.metadata.name, app.status.release?.number]), [['web', 1]], 'the frozen cache knows only web at release 1');

  const from = kube.requests.length;
  const fresh = await cached.listApps('team-a', { fresh: true });
  t.deepEqual(fresh.map((app) => [app.metadata.name, app.status.release?.number]), [['api', 1], ['web', 2]], 'the newer release and the new App, never the cached release 1');
  t.deepEqual(appRequests(kube, from), ['GET apps'], 'one list, no read per App');
  const listedWeb = fresh.find((app) => app.metadata.name === 'web')!;
  t.deepEqual(listedWeb, (await other.getApp('team-a', 'web'))!, 'listed as a plain read gives it');

  // Once the cache is at the listed version, a fresh listing hands out the cached App itself.
  const again = await cached.listApps('team-a', { fresh: true });
  t.not<unknown, unknown>(again.find((app) => app.metadata.name === 'web')!.status, cache.apps.get('team-a', 'web')!.status, 'the cache is still stale: not shared');
  const cache2 = createKubeCache({ kc: kube.kubeConfig(), logger: silentLogger, backoff: { initialMs: 10, maxMs: 50 } });
  const store2 = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock, cache: cache2 });
  await cache2.start();
  t.teardown(() => cache2.stop());
  const shared = (await store2.listApps('team-a', { fresh: true })).find((app) => app.metadata.name === 'web')!;
  t.is<unknown, unknown>(shared.status, cache2.apps.get('team-a', 'web')!.status, 'same version: the listed copy was dropped for the cached one');
  t.is<unknown, unknown>(shared, (await store2.listApps('team-a')).find((app) => app.metadata.name === 'web'), 'and it is the App a cached listing gives');
});

test('cached Apps are held once, without managedFields, and listed Apps share their spec and status with the cache', async (t) => {
  const { other, cache, cached } = await staleWorld(t);
  const resource = cache.apps.get('team-a', 'web')!;
  t.false('managedFields' in resource.metadata);
  const [listed] = await cached.listApps('team-a');
  t.is<unknown, unknown>(listed!.status, resource.status);
  t.is<unknown, unknown>(listed!.spec, resource.spec);
  t.deepEqual(listed, (await other.getApp('team-a', 'web'))!, 'the same App a read from the API gives');
  const got = (await cached.getApp('team-a', 'web'))!;
  t.deepEqual(got, listed!);
  t.not<unknown, unknown>(got.status, resource.status, 'a single read is the caller\'s own copy');
});
