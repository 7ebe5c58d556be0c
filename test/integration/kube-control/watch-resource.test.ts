import test from 'ava';
import { CoreV1Api, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { createResourceWatch, type ResourceWatch } from '../../../controller/adapters/kube/control/watch-resource.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import { startFakeKube, type FakeKube, type KubeObject } from '../../helpers/fake-kube/index.ts';

const PATH = '/api/v1/configmaps';
const fast = { initialMs: 20, maxMs: 200 };

/** A fake API server, a client for the test's own writes, and a watch of ConfigMaps labelled test=watch, started. */
async function setup(t: { teardown(fn: () => Promise<void> | void): void }, seedNames: string[] = []) {
  const kube = await startFakeKube();
  const kc = kube.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of seedNames) await kube.seed(configMap(name));
  const watch = createResourceWatch<V1ConfigMap>({ kc, path: PATH, labelSelector: 'test=watch', logger: silentLogger, backoff: fast });
  const events: string[] = [];
  watch.on('add', (o) => events.push(`add ${o.metadata!.name}`));
  watch.on('update', (o, old) => events.push(`update ${o.metadata!.name} ${old.data?.v ?? ''}->${o.data?.v ?? ''}`));
  watch.on('delete', (o) => events.push(`delete ${o.metadata!.name}`));
  t.teardown(async () => { await watch.stop(); await kube.close(); });
  await watch.start();
  return { kube, core, watch, events };
}

function configMap(name: string, v = '1', labels: Record<string, string> = { test: 'watch' }): KubeObject & V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: { v } };
}

/** `name@resourceVersion` of every object, sorted: what "the cache equals the server" means. */
function summary(objects: Array<{ metadata?: { name?: string; resourceVersion?: string } }>): string[] {
  return objects.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
}

/** Waits until the watch's cache holds exactly the labelled ConfigMaps the fake stores. */
async function converged(kube: FakeKube, watch: ResourceWatch<V1ConfigMap>): Promise<void> {
  const expected = () => summary(kube.objects('v1', 'ConfigMap', 'default').filter((o) => o.metadata.labels?.test === 'watch'));
  await kube.waitFor(() => JSON.stringify(summary(watch.list())) === JSON.stringify(expected()), { timeoutMs: 10_000 })
    .catch(() => { throw new Error(`cache ${JSON.stringify(summary(watch.list()))} never matched ${JSON.stringify(expected())}`); });
}

const isList = (r: { method: string; path: string; query: Record<string, string> }) => r.method === 'GET' && r.path === PATH && r.query.watch !== 'true';
const isWatch = (r: { method: string; path: string; query: Record<string, string> }) => r.method === 'GET' && r.path === PATH && r.query.watch === 'true';

test('start resolves with the existing objects cached, only those matching the label selector', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await kube.seed(configMap('a'));
  await kube.seed(configMap('other', '1', { test: 'no' }));
  const watch = createResourceWatch<V1ConfigMap>({ kc: kube.kubeConfig(), path: PATH, labelSelector: 'test=watch', logger: silentLogger, backoff: fast });
  t.teardown(() => watch.stop());
  t.false(watch.synced);
  await watch.start();
  t.true(watch.synced);
  t.deepEqual(watch.list().map((o) => o.metadata!.name), ['a']);
  t.is(watch.get('default', 'a')?.data?.v, '1');
  t.is(watch.get('default', 'a')?.kind, 'ConfigMap', 'list items carry their kind, like watch events');
  t.is(watch.get('default', 'other'), undefined);
});

test('the cache follows adds, updates and deletes, and says so through events', async (t) => {
  const { kube, core, watch, events } = await setup(t);
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('a') });
  await kube.waitFor(() => watch.get('default', 'a'));
  await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'a', body: configMap('a', '2') });
  await kube.waitFor(() => watch.get('default', 'a')?.data?.v === '2');
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'a' });
  await kube.waitFor(() => !watch.get('default', 'a'));
  t.deepEqual(events, ['add a', 'update a 1->2', 'delete a']);
});

test('a start that meets API errors retries until the first list is in', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await kube.seed(configMap('a'));
  kube.faults.fail({ times: 3, status: 500, match: isList });
  const watch = createResourceWatch<V1ConfigMap>({ kc: kube.kubeConfig(), path: PATH, logger: silentLogger, backoff: fast });
  t.teardown(() => watch.stop());
  await watch.start();
  t.deepEqual(watch.list().map((o) => o.metadata!.name), ['a']);
  t.is(kube.requests.filter(isList).length, 4);
});

test('after dropped watches it resumes from its resourceVersion and misses nothing', async (t) => {
  const { kube, core, watch, events } = await setup(t, ['a', 'b']);
  const lists = kube.requests.filter(isList).length;
  const watches = kube.requests.filter(isWatch).length;
  kube.faults.dropWatches();
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('c') });
  await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'a', body: configMap('a', '2') });
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'b' });
  await converged(kube, watch);
  kube.faults.dropWatches();
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('d') });
  await converged(kube, watch);
  t.true(kube.requests.filter(isWatch).length >= watches + 2, 'it watched again');
  t.is(kube.requests.filter(isList).length, lists, 'no relist was needed');
  t.deepEqual(events.slice(2).sort(), ['add c', 'add d', 'delete b', 'update a 1->2']);
});

test('after a burst of 500s on watch and list it relists and reports what changed meanwhile', async (t) => {
  const { kube, core, watch, events } = await setup(t, ['a', 'b', 'c']);
  const lists = kube.requests.filter(isList).length;
  kube.faults.fail({ times: 6, status: 500, match: (r) => r.method === 'GET' && r.path === PATH });
  kube.faults.dropWatches();
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'b' });
  await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'c', body: configMap('c', '2') });
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('d') });
  await converged(kube, watch);
  await kube.waitFor(() => kube.requests.filter(isList).length > lists + 1, { timeoutMs: 10_000 });
  await converged(kube, watch);
  t.deepEqual(events.slice(3).sort(), ['add d', 'delete b', 'update c 1->2']);
  // And it is watching again: a later change arrives without another failure.
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('e') });
  await converged(kube, watch);
});

test('after compaction (410 Gone) it relists, including objects that left its selector meanwhile', async (t) => {
  const { kube, watch, events } = await setup(t, ['a', 'b', 'c']);
  const lists = kube.requests.filter(isList).length;
  let resyncs = 0;
  watch.on('resync', () => { resyncs++; });
  // All synchronous: the watch cannot reconnect before the history is gone.
  kube.faults.dropWatches();
  void kube.seed(configMap('d'));
  void kube.seed({ ...configMap('a', '2'), metadata: { ...kube.object('v1', 'ConfigMap', 'default', 'a')!.metadata, labels: { test: 'watch' } } });
  void kube.seed({ ...configMap('b'), metadata: { ...kube.object('v1', 'ConfigMap', 'default', 'b')!.metadata, labels: { test: 'gone' } } });
  kube.faults.compact();
  await converged(kube, watch);
  await kube.waitFor(() => resyncs > 0, { timeoutMs: 10_000 });
  t.is(kube.requests.filter(isList).length, lists + 1, 'one relist');
  t.deepEqual(events.slice(3).sort(), ['add d', 'delete b', 'update a 1->2']);
});

test('stop ends the watch: later changes do not reach the cache', async (t) => {
  const { kube, core, watch } = await setup(t, ['a']);
  await watch.stop();
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('b') });
  // A second, live watch sees b; had the stopped one still been watching, it would have seen b first.
  const live = createResourceWatch<V1ConfigMap>({ kc: kube.kubeConfig(), path: PATH, logger: silentLogger });
  t.teardown(() => live.stop());
  await live.start();
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('c') });
  await kube.waitFor(() => live.get('default', 'c'));
  t.deepEqual(watch.list().map((o) => o.metadata!.name), ['a']);
});

test('it watches custom resources the same way (App objects of the Slipway CRD)', async (t) => {
  const kube = await startFakeKube({ crds: ['charts/slipway/crds/apps.slipway.dev.yaml'] });
  t.teardown(() => kube.close());
  const app = (name: string, namespace: string): KubeObject => ({ apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name, namespace }, spec: { instances: 1 } });
  await kube.seed(app('web', 'team-a'));
  const watch = createResourceWatch<KubernetesObject>({ kc: kube.kubeConfig(), path: '/apis/slipway.dev/v1alpha1/apps', logger: silentLogger, backoff: fast });
  t.teardown(() => watch.stop());
  await watch.start();
  await kube.seed(app('api', 'team-b'));
  await kube.waitFor(() => watch.get('team-b', 'api'));
  t.deepEqual(watch.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort(), ['team-a/web', 'team-b/api']);
  t.is(watch.get('team-a', 'web')?.kind, 'App');
});
