import test from 'ava';
import { fileURLToPath } from 'node:url';
import { ApisApi, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { apiFailure } from '../../helpers/fake-kube/api-failure.ts';

const crdFile = fileURLToPath(new URL('fixtures/app-crd.yaml', import.meta.url));
let kube: FakeKube;
test.before(async () => { kube = await startFakeKube({ crds: [crdFile] }); });
test.after.always(async () => { await kube.close(); });

const app = (name: string, namespace = 'default', spec: Record<string, unknown> = { repo: 'https://example.com/a.git' }) => ({
  apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name, namespace }, spec,
});

test('a CRD from YAML is served: discovery lists it with shortNames and its status subresource, and it is Established', async (t) => {
  const res = await fetch(`${kube.url}/apis/slipway.dev/v1alpha1`);
  const list = await res.json() as { resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[] }[] };
  t.like(list.resources.find((r) => r.name === 'apps'), { kind: 'App', namespaced: true, shortNames: ['sapp'] });
  t.truthy(list.resources.find((r) => r.name === 'apps/status'));
  const groups = await kube.kubeConfig().makeApiClient(ApisApi).getAPIVersions();
  t.true(groups.groups.some((g) => g.name === 'slipway.dev'));
  await kube.waitFor(() => (kube.object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'apps.slipway.dev')?.status as { conditions?: { type: string }[] } | undefined)
    ?.conditions?.some((c) => c.type === 'Established'));
  t.pass();
});

test('custom objects: create, get, list across namespaces, status subresource', async (t) => {
  const custom = kube.kubeConfig().makeApiClient(CustomObjectsApi);
  const created = await custom.createNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace: 'default', plural: 'apps', body: { ...app('blog'), status: { phase: 'Ignored' } } }) as ReturnType<typeof app> & { metadata: { generation: number }; status?: unknown };
  t.is(created.metadata.generation, 1);
  t.is(created.status, undefined);
  const all = await custom.listCustomObjectForAllNamespaces({ group: 'slipway.dev', version: 'v1alpha1', resourcePlural: 'apps' }) as { items: { metadata: { name: string } }[] };
  t.true(all.items.some((i) => i.metadata.name === 'blog'));
  const withStatus = await custom.replaceNamespacedCustomObjectStatus({ group: 'slipway.dev', version: 'v1alpha1', namespace: 'default', plural: 'apps', name: 'blog', body: { ...created, spec: { repo: 'https://changed' }, status: { phase: 'Ready', observedGeneration: 1 } } }) as { spec: { repo: string }; status: { phase: string } };
  t.is(withStatus.status.phase, 'Ready');
  t.is(withStatus.spec.repo, 'https://example.com/a.git');
  const missing = await apiFailure(custom.getNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace: 'default', plural: 'apps', name: 'nope' }));
  t.like(missing, { code: 404, message: 'apps.slipway.dev "nope" not found' });
});

test('KubernetesObjectApi resolves the custom kind through discovery', async (t) => {
  const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  await client.create(app('via-object-api'));
  const read = await client.read({ apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name: 'via-object-api', namespace: 'default' } });
  t.is((read as unknown as { spec: { repo: string } }).spec.repo, 'https://example.com/a.git');
});

test('deleting a CRD stops serving it and removes its objects', async (t) => {
  const other = await startFakeKube({ crds: [crdFile] });
  t.teardown(() => other.close());
  const custom = other.kubeConfig().makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace: 'default', plural: 'apps', body: app('gone') });
  await fetch(`${other.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/apps.slipway.dev`, { method: 'DELETE' });
  const res = await fetch(`${other.url}/apis/slipway.dev/v1alpha1/namespaces/default/apps/gone`);
  t.is(res.status, 404);
});
