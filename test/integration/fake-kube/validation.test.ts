import test from 'ava';
import { fileURLToPath } from 'node:url';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { apiFailure } from '../../helpers/fake-kube/api-failure.ts';


const crdFile = fileURLToPath(new URL('fixtures/app-crd.yaml', import.meta.url));
let kube: FakeKube;
test.before(async () => { kube = await startFakeKube({ crds: [crdFile], autoRollout: false }); });
test.after.always(async () => { await kube.close(); });

const deployment = (name: string, container: Record<string, unknown> = { name: 'web', image: 'nginx' }, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } }, ...spec },
});
const app = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name, namespace: 'default' }, spec });

const refused = test.macro({
  async exec(t, object: Record<string, unknown>, field: RegExp) {
    // Raw JSON: client-node's typed serializer would drop unknown fields before they reach the server.
    const apiVersion = object.apiVersion as string;
    const plural = `${(object.kind as string).toLowerCase()}s`;
    const res = await fetch(`${kube.url}/${apiVersion.includes('/') ? 'apis' : 'api'}/${apiVersion}/namespaces/default/${plural}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(object),
    });
    const status = await res.json() as { code: number; reason: string; message: string };
    t.like(status, { code: 422, reason: 'Invalid' });
    t.regex(status.message, field);
    const name = (object.metadata as { name: string }).name;
    t.true(kube.rejections.some((r) => r.path.endsWith(`/${name}`) && field.test(r.reason)), JSON.stringify(kube.rejections));
  },
  title: (title) => `refused with 422: ${title}`,
});

test('a typo in a container field', refused, deployment('typo-imagee', { name: 'web', imagee: 'nginx' }), /spec\.template\.spec\.containers\[0\]\.imagee: unknown field/);
test('a typo in a spec field', refused, deployment('typo-replica', { name: 'web', image: 'nginx' }, { replica: 2 }), /spec\.replica: unknown field/);
test('a wrong type', refused, deployment('wrong-type', { name: 'web', image: 'nginx' }, { replicas: 'two' }), /spec\.replicas: .*integer/);
test('a missing required field', refused, deployment('no-container-name', { image: 'nginx' }), /spec\.template\.spec\.containers\[0\]/);
test('a name that is not a DNS subdomain', refused, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Upper_Case', namespace: 'default' } }, /metadata\.name/);
test('a label value too long', refused, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'long-label', namespace: 'default', labels: { a: 'x'.repeat(64) } } }, /metadata\.labels/);
test('an unknown field in a custom resource', refused, app('cr-unknown', { repo: 'https://x', replicass: 2 }), /spec\.replicass: unknown field/);
test('a value outside the enum', refused, app('cr-enum', { repo: 'https://x', mode: 'batch' }), /spec\.mode: Unsupported value/);
test('a value breaking the pattern', refused, app('cr-pattern', { repo: 'ftp://x' }), /spec\.repo: .*should match/);
test('a value above maximum', refused, app('cr-max', { repo: 'https://x', replicas: 11 }), /spec\.replicas: .*less than or equal to 10/);
test('too many items', refused, app('cr-items', { repo: 'https://x', env: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] }), /spec\.env: Too many/);
test('a missing required property', refused, app('cr-required', { replicas: 1 }), /spec\.repo: Required value/);
test('a wrong type in a custom resource', refused, app('cr-type', { repo: 'https://x', replicas: '3' }), /spec\.replicas: .*type integer/);
test('a bad int-or-string', refused, app('cr-intstr', { repo: 'https://x', port: true }), /spec\.port/);
test('a non-string in a string map', refused, app('cr-map', { repo: 'https://x', labels: { a: 1 } }), /spec\.labels\.a/);

test('valid objects pass: IntOrString, maps, preserve-unknown-fields', async (t) => {
  const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  await t.notThrowsAsync(client.create(deployment('ok-probe', {
    name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: '/', port: 'http' } }, resources: { limits: { memory: '128Mi' } },
  }) as KubernetesObject));
  await t.notThrowsAsync(client.create(app('cr-ok', { repo: 'https://x', port: 8080, settings: { anything: { goes: [1] } }, labels: { a: 'b' }, env: [{ name: 'A', value: '1' }] }) as KubernetesObject));
});

test('a patch whose result is invalid is refused and leaves the object unchanged', async (t) => {
  const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  await client.create(deployment('patch-invalid') as KubernetesObject);
  const res = await fetch(`${kube.url}/apis/apps/v1/namespaces/default/deployments/patch-invalid`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { paused: 'yes' } }),
  });
  t.is(res.status, 422);
  t.is((kube.object('apps/v1', 'Deployment', 'default', 'patch-invalid')!.spec as { paused?: unknown }).paused, undefined);
});

test('a CRD whose schema is not structural is refused', async (t) => {
  const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: { size: { type: 'integer' } } } } } } }],
    },
  };
  const status = await apiFailure(client.create(crd as KubernetesObject));
  t.is(status.code, 422);
  t.regex(status.message, /openAPIV3Schema\.properties\[spec\]\.type: Required value/);
});
