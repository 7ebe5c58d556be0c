import test from 'ava';
import { CoreV1Api, Watch, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube(); });
test.after.always(async () => { await kube.close(); });

type Event = { type: string; name?: string; code?: number };

/** Open a raw watch and collect its events until `done`. */
async function collect(path: string, query: Record<string, string>, on: FakeKube = kube) {
  const events: Event[] = [];
  let ended = false;
  const controller = await new Watch(on.kubeConfig()).watch(path, query,
    (type, obj: { metadata?: { name?: string }; code?: number }) => events.push({ type, name: obj.metadata?.name, code: obj.code }),
    () => { ended = true; });
  return { events, ended: () => ended, stop: () => controller.abort() };
}

test('watch from a resourceVersion replays later events, filters by label, and streams live ones', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'w1' } } });
  const list = await core.listNamespacedConfigMap({ namespace: 'w1' });
  await core.createNamespacedConfigMap({ namespace: 'w1', body: { metadata: { name: 'before', labels: { w: 'yes' } } } });
  await core.createNamespacedConfigMap({ namespace: 'w1', body: { metadata: { name: 'unlabelled' } } });
  const w = await collect('/api/v1/namespaces/w1/configmaps', { resourceVersion: list.metadata!.resourceVersion!, labelSelector: 'w=yes' });
  await core.patchNamespacedConfigMap({ namespace: 'w1', name: 'before', body: [{ op: 'add', path: '/data', value: { a: '1' } }] });
  await core.deleteNamespacedConfigMap({ namespace: 'w1', name: 'before' });
  await kube.waitFor(() => w.events.length >= 3);
  t.deepEqual(w.events, [{ type: 'ADDED', name: 'before', code: undefined }, { type: 'MODIFIED', name: 'before', code: undefined }, { type: 'DELETED', name: 'before', code: undefined }]);
  w.stop();
});

test('watch without a resourceVersion starts with ADDED for existing objects; timeoutSeconds ends it', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'w2' } } });
  await core.createNamespacedConfigMap({ namespace: 'w2', body: { metadata: { name: 'existing' } } });
  const w = await collect('/api/v1/namespaces/w2/configmaps', { timeoutSeconds: '1' });
  await kube.waitFor(() => w.ended(), { timeoutMs: 3000 });
  t.deepEqual(w.events.map((e) => `${e.type} ${e.name}`), ['ADDED existing']);
});

test('after compaction a watch from an old resourceVersion gets one 410 Expired ERROR and ends', async (t) => {
  // Faults act on the whole server: this test gets its own.
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const old = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata!.resourceVersion!;
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-old' } } });
  kube.faults.compact();
  const w = await collect('/api/v1/watch/namespaces/default/configmaps', { resourceVersion: old }, kube);
  await kube.waitFor(() => w.ended());
  t.deepEqual(w.events, [{ type: 'ERROR', name: undefined, code: 410 }]);
});

test('makeInformer sees adds, updates and deletes, and recovers from dropped watches and 410', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const kc = kube.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'inf' } } });
  await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'first' } } });
  const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.v ?? ''}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  await informer.start();
  await kube.waitFor(() => seen.includes('add first'));
  await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'second' } } });
  await kube.waitFor(() => seen.includes('add second'));

  kube.faults.dropWatches();
  await core.replaceNamespacedConfigMap({ namespace: 'inf', name: 'second', body: { metadata: { name: 'second' }, data: { v: '1' } } });
  await kube.waitFor(() => seen.includes('update second 1'));

  // Compaction while the informer's watch is down: it resumes from an expired resourceVersion, gets 410, relists.
  kube.faults.compact();
  kube.faults.dropWatches();
  await core.deleteNamespacedConfigMap({ namespace: 'inf', name: 'first' });
  await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'third' } } });
  await kube.waitFor(() => seen.includes('delete first') && seen.includes('add third'), { timeoutMs: 10_000 });
  t.deepEqual(informer.list().map((o) => o.metadata?.name).sort(), ['second', 'third']);
  await informer.stop();
});
