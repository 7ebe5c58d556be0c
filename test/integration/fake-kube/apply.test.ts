import test from 'ava';
import { AppsV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { apiFailure } from '../../helpers/fake-kube/api-failure.ts';

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube({ autoRollout: false }); });
test.after.always(async () => { await kube.close(); });

const deployment = (name: string, opts: { replicas?: number; image?: string; env?: { name: string; value: string }[]; labels?: Record<string, string> } = {}): V1Deployment & KubernetesObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: 'default', labels: opts.labels ?? { app: name } },
  spec: {
    ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: opts.image ?? 'nginx:1', ...(opts.env ? { env: opts.env } : {}) }] } },
  },
});

const apply = (spec: KubernetesObject, manager: string, force?: boolean) =>
  KubernetesObjectApi.makeApiClient(kube.kubeConfig()).patch(spec, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);

test('apply creates when absent and records the manager in managedFields', async (t) => {
  const created = await apply(deployment('ssa-create', { replicas: 2 }), 'slipway') as V1Deployment;
  t.is(created.spec?.replicas, 2);
  const entry = created.metadata?.managedFields?.find((e) => e.manager === 'slipway');
  t.like(entry, { operation: 'Apply', fieldsType: 'FieldsV1', apiVersion: 'apps/v1' });
  t.truthy((entry?.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']?.['f:replicas']);
});

test('apply without fieldManager is a 400', async (t) => {
  const res = await fetch(`${kube.url}/apis/apps/v1/namespaces/default/deployments/nofm`, {
    method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nofm}\n',
  });
  t.is(res.status, 400);
});

test('apply accepts a YAML body', async (t) => {
  const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  key: value\n';
  const res = await fetch(`${kube.url}/api/v1/namespaces/default/configmaps/from-yaml?fieldManager=yaml-user`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body: yaml });
  t.is(res.status, 201);
  t.deepEqual(kube.object('v1', 'ConfigMap', 'default', 'from-yaml')?.data, { key: 'value' });
});

test('a field another manager set to a different value conflicts unless force', async (t) => {
  await apply(deployment('ssa-conflict', { replicas: 1 }), 'slipway');
  const apps = kube.kubeConfig().makeApiClient(AppsV1Api);
  const live = await apps.readNamespacedDeployment({ namespace: 'default', name: 'ssa-conflict' });
  // An imperative scale by someone else (operation Update) takes ownership of spec.replicas.
  await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'ssa-conflict', fieldManager: 'kubectl-scale', body: { ...live, spec: { ...live.spec!, replicas: 5 } } });
  const refused = await apiFailure(apply(deployment('ssa-conflict', { replicas: 1 }), 'slipway'));
  t.like(refused, { code: 409, reason: 'Conflict' });
  t.regex(refused.message, /conflict with "kubectl-scale": \.spec\.replicas/);
  t.is(kube.object('apps/v1', 'Deployment', 'default', 'ssa-conflict')?.spec && (kube.object('apps/v1', 'Deployment', 'default', 'ssa-conflict')!.spec as { replicas: number }).replicas, 5);
  // Same value: no conflict, shared ownership.
  await t.notThrowsAsync(apply(deployment('ssa-conflict', { replicas: 5 }), 'slipway'));
  const forced = await apply(deployment('ssa-conflict', { replicas: 1 }), 'slipway', true) as V1Deployment;
  t.is(forced.spec?.replicas, 1);
  const scaler = forced.metadata?.managedFields?.find((e) => e.manager === 'kubectl-scale');
  t.falsy((scaler?.fieldsV1 as Record<string, Record<string, unknown>> | undefined)?.['f:spec']?.['f:replicas']);
});

test('fields a manager applied before and omits now are removed; fields of other managers stay', async (t) => {
  await apply(deployment('ssa-prune', { replicas: 2, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], labels: { app: 'ssa-prune', team: 'x' } }), 'slipway');
  await apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa-prune', namespace: 'default', annotations: { note: 'mine' } } }, 'other-tool');
  const after = await apply(deployment('ssa-prune', { env: [{ name: 'A', value: '1' }] }), 'slipway') as V1Deployment;
  t.is(after.spec?.replicas, 1, 'back to the default');
  t.deepEqual(after.spec?.template.spec?.containers[0]?.env?.map((e) => e.name), ['A']);
  t.deepEqual(after.metadata?.labels, { app: 'ssa-prune' });
  t.deepEqual(after.metadata?.annotations, { note: 'mine' });
});

test('apply with a stale resourceVersion is a 409 Conflict', async (t) => {
  const first = await apply(deployment('ssa-rv'), 'slipway') as V1Deployment;
  await apply(deployment('ssa-rv', { image: 'nginx:2' }), 'slipway');
  const stale = deployment('ssa-rv', { image: 'nginx:3' });
  stale.metadata!.resourceVersion = first.metadata?.resourceVersion;
  t.like(await apiFailure(apply(stale, 'slipway')), { code: 409 });
});

test('apply of an unchanged object does not bump the resourceVersion', async (t) => {
  // A ConfigMap: no controller writes to it in between.
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-noop', namespace: 'default' }, data: { a: '1' } };
  const a = await apply(cm, 'slipway') as V1Deployment;
  const b = await apply(cm, 'slipway') as V1Deployment;
  t.is(a.metadata?.resourceVersion, b.metadata?.resourceVersion);
});

test('a JSON apply body is read as YAML would: duplicate keys are refused, a canonical body applies', async (t) => {
  const send = (name: string, body: string) => fetch(`${kube.url}/api/v1/namespaces/default/configmaps/${name}?fieldManager=json-user`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body });
  // JSON.parse would take the last "data"; the YAML reading refuses the duplicate.
  const duplicate = await send('dup-keys', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup-keys"},"data":{"a":"1"},"data":{"b":"2"}}');
  t.is(duplicate.status, 400);
  t.regex(await duplicate.text(), /error decoding YAML/);
  t.is(kube.object('v1', 'ConfigMap', 'default', 'dup-keys'), undefined);
  const canonical = await send('canonical', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'canonical' }, data: { a: '1' } }));
  t.true(canonical.ok, String(canonical.status));
  t.deepEqual(kube.object('v1', 'ConfigMap', 'default', 'canonical')?.data, { a: '1' });
  const spaced = await send('spaced', '{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "spaced" }, "data": { "a": "1" } }');
  t.true(spaced.ok, String(spaced.status));
  t.deepEqual(kube.object('v1', 'ConfigMap', 'default', 'spaced')?.data, { a: '1' });
});
