import test from 'ava';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { apiFailure } from '../../helpers/fake-kube/api-failure.ts';

let kube: FakeKube;
test.before(async () => {
  kube = await startFakeKube();
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'other' } } });
  const labelled: [string, string, Record<string, string>][] = [
    ['default', 'a', { app: 'web', tier: 'front' }],
    ['default', 'b', { app: 'web', tier: 'back' }],
    ['default', 'c', { app: 'db' }],
    ['other', 'd', { app: 'web', tier: 'front' }],
  ];
  for (const [namespace, name, labels] of labelled) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels } } });
});
test.after.always(async () => { await kube.close(); });

const selects = test.macro({
  async exec(t, labelSelector: string, expected: string[]) {
    const core = kube.kubeConfig().makeApiClient(CoreV1Api);
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector });
    t.deepEqual(list.items.map((i) => i.metadata?.name).filter((n) => n?.length === 1).sort(), expected);
  },
  title: (_title, labelSelector: string) => `labelSelector ${JSON.stringify(labelSelector)}`,
});
test(selects, 'app=web', ['a', 'b']);
test(selects, 'app==web,tier=front', ['a']);
test(selects, 'app!=web', ['c']);
test(selects, 'tier in (front, back)', ['a', 'b']);
test(selects, 'tier notin (front),app', ['b', 'c']);
test(selects, 'tier', ['a', 'b']);
test(selects, '!tier', ['c']);

test('fieldSelector on metadata.name, and listing across all namespaces carries a resourceVersion', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const one = await core.listNamespacedConfigMap({ namespace: 'default', fieldSelector: 'metadata.name=b' });
  t.deepEqual(one.items.map((i) => i.metadata?.name), ['b']);
  const all = await core.listConfigMapForAllNamespaces({ labelSelector: 'app=web,tier=front' });
  t.deepEqual(all.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`).sort(), ['default/a', 'other/d']);
  t.regex(all.metadata?.resourceVersion ?? '', /^\d+$/);
  const inOther = await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=other' });
  t.deepEqual(inOther.items.map((i) => i.metadata?.name), ['d']);
});

test('a malformed label selector is a 400', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  t.is((await apiFailure(core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'a in (b' }))).code, 400);
});

test('merge patch merges maps and null deletes', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'merge', labels: { keep: 'yes', drop: 'yes' } }, data: { x: '1' } } });
  const patched = await core.patchNamespacedConfigMap(
    { namespace: 'default', name: 'merge', body: { metadata: { labels: { drop: null, added: 'yes' } }, data: { y: '2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.deepEqual(patched.metadata?.labels, { keep: 'yes', added: 'yes' });
  t.deepEqual(patched.data, { x: '1', y: '2' });
});

test('JSON patch: add, replace, remove, copy, move, and a failing test op is refused', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'jp' }, data: { a: '1', b: '2' } } });
  const patched = await core.patchNamespacedConfigMap({
    namespace: 'default', name: 'jp',
    body: [
      { op: 'test', path: '/data/a', value: '1' },
      { op: 'add', path: '/data/c', value: '3' },
      { op: 'replace', path: '/data/a', value: 'one' },
      { op: 'remove', path: '/data/b' },
      { op: 'copy', from: '/data/c', path: '/data/d' },
      { op: 'move', from: '/data/c', path: '/data/e' },
    ],
  }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  t.deepEqual(patched.data, { a: 'one', d: '3', e: '3' });
  const refused = await apiFailure(core.patchNamespacedConfigMap({ namespace: 'default', name: 'jp', body: [{ op: 'test', path: '/data/a', value: 'nope' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)));
  t.is(refused.code, 422);
});

test('strategic merge patch merges containers and env by name', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  await kube.seed({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'smp', namespace: 'default' },
    spec: { containers: [{ name: 'web', image: 'a:1', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 's:1' }] },
  });
  const patched = await core.patchNamespacedPod({
    namespace: 'default', name: 'smp',
    body: { spec: { containers: [{ name: 'web', image: 'a:2', env: [{ name: 'B', value: '2' }] }] } },
  }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
  t.deepEqual(patched.spec?.containers.map((c) => [c.name, c.image, (c.env ?? []).map((e) => e.name)]), [['web', 'a:2', ['A', 'B']], ['side', 's:1', []]]);
});

test('a patch carrying a stale resourceVersion is refused with 409 Conflict', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stale-patch' }, data: { a: '1' } } });
  await core.patchNamespacedConfigMap({ namespace: 'default', name: 'stale-patch', body: { data: { a: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  const refused = await apiFailure(core.patchNamespacedConfigMap(
    { namespace: 'default', name: 'stale-patch', body: { metadata: { resourceVersion: created.metadata?.resourceVersion }, data: { a: '3' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  ));
  t.like(refused, { code: 409, reason: 'Conflict' });
});
