import test from 'ava';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import { apiFailure as failure } from '../../helpers/fake-kube/api-failure.ts';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube(); });
test.after.always(async () => { await kube.close(); });

const configMap = (name: string, data: Record<string, string> = { a: '1' }) => ({ metadata: { name }, data });

test('create, get, replace and delete a ConfigMap with uid, resourceVersion and creationTimestamp', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('crud') });
  t.truthy(created.metadata?.uid);
  t.regex(created.metadata?.resourceVersion ?? '', /^\d+$/);
  t.true(created.metadata?.creationTimestamp instanceof Date);
  const read = await core.readNamespacedConfigMap({ namespace: 'default', name: 'crud' });
  t.deepEqual(read.data, { a: '1' });
  const replaced = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'crud', body: { ...read, data: { a: '2' } } });
  t.is(replaced.data?.a, '2');
  t.true(Number(replaced.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion));
  t.is(replaced.metadata?.uid, created.metadata?.uid);
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'crud' });
  t.is((await failure(core.readNamespacedConfigMap({ namespace: 'default', name: 'crud' }))).code, 404);
});

test('404 NotFound and 409 AlreadyExists are Status objects', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const missing = await failure(core.readNamespacedSecret({ namespace: 'default', name: 'nope' }));
  t.like(missing, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'secrets "nope" not found' });
  await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('twice') });
  const again = await failure(core.createNamespacedConfigMap({ namespace: 'default', body: configMap('twice') }));
  t.like(again, { reason: 'AlreadyExists', code: 409, message: 'configmaps "twice" already exists' });
});

test('a replace carrying a stale resourceVersion is refused with 409 Conflict', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const first = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('stale') });
  await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'stale', body: { ...first, data: { a: 'new' } } });
  const refused = await failure(core.replaceNamespacedConfigMap({ namespace: 'default', name: 'stale', body: { ...first, data: { a: 'old' } } }));
  t.like(refused, { reason: 'Conflict', code: 409 });
  t.is(kube.object('v1', 'ConfigMap', 'default', 'stale')?.data && (kube.object('v1', 'ConfigMap', 'default', 'stale')!.data as { a: string }).a, 'new');
});

test('namespaced objects need their namespace; deleting a namespace deletes its objects', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const noNs = await failure(core.createNamespacedConfigMap({ namespace: 'ghost', body: configMap('x') }));
  t.like(noNs, { code: 404, reason: 'NotFound', message: 'namespaces "ghost" not found' });
  await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: configMap('inside') });
  t.is((await core.readNamespace({ name: 'doomed' })).status?.phase, 'Active');
  await core.deleteNamespace({ name: 'doomed' });
  t.is(kube.objects('v1', 'ConfigMap', 'doomed').length, 0);
  t.is((await failure(core.readNamespace({ name: 'doomed' }))).code, 404);
});

test('generateName gives a name with a random suffix', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const a = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-' } } });
  const b = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-' } } });
  t.regex(a.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
  t.not(a.metadata?.name, b.metadata?.name);
});

test('status subresource: main writes ignore status, /status writes change only status; generation follows spec', async (t) => {
  // The simulated Deployment controller writes status concurrently, so these replaces are
  // unconditional (no resourceVersion), as a client that does not care about conflicts would send.
  const unconditional = <T extends { metadata?: object }>(o: T): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  const apps = kube.kubeConfig().makeApiClient(AppsV1Api);
  const body = {
    metadata: { name: 'gen', labels: { app: 'gen' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    status: { replicas: 99 },
  };
  const created = await apps.createNamespacedDeployment({ namespace: 'default', body });
  t.is(created.metadata?.generation, 1);
  t.not(created.status?.replicas, 99);
  const labelled = await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'gen', body: unconditional({ ...created, metadata: { ...created.metadata, labels: { app: 'gen', x: 'y' } } }) });
  t.is(labelled.metadata?.generation, 1);
  const scaled = await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'gen', body: unconditional({ ...labelled, spec: { ...labelled.spec!, replicas: 2 }, status: { replicas: 42 } }) });
  t.is(scaled.metadata?.generation, 2);
  t.not(scaled.status?.replicas, 42);
  const withStatus = await apps.replaceNamespacedDeploymentStatus({ namespace: 'default', name: 'gen', body: unconditional({ ...scaled, spec: { ...scaled.spec!, replicas: 7 }, status: { observedGeneration: 2, replicas: 3 } }) });
  t.is(withStatus.status?.replicas, 3);
  t.is(withStatus.spec?.replicas, 2);
  t.is(withStatus.metadata?.generation, 2);
});

test('KubernetesObjectApi reads discovery and does create, read, list, delete', async (t) => {
  const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'default' } });
  const read = await client.read({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'default' } });
  t.is(read.metadata?.name, 'builder');
  const list = await client.list('v1', 'ServiceAccount', 'default');
  t.true(list.items.some((i) => i.metadata?.name === 'builder'));
  await client.delete({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'default' } });
  t.is(kube.object('v1', 'ServiceAccount', 'default', 'builder'), undefined);
});
