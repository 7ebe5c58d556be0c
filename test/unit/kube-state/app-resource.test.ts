import test from 'ava';
import { appFromResource, appToResource, pruneEmpty, specWithDefaults, statusResource, type AppResource, type KubeApp } from '../../../controller/adapters/kube/state/app-resource.ts';
import type { AppSpec } from '../../../core/types.ts';

const resource = (over: Partial<AppResource> = {}): AppResource => ({
  apiVersion: 'slipway.dev/v1alpha1',
  kind: 'App',
  metadata: {
    name: 'web', namespace: 'team-a', uid: 'u-1', resourceVersion: '42', generation: 3,
    creationTimestamp: '2026-01-02T03:04:05Z',
    labels: { team: 'payments' }, annotations: { 'example.com/owner': 'ops' },
    finalizers: ['example.com/keep'],
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u-0' }],
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  spec: { origin: { kind: 'git', url: 'https://example.com/r.git', revision: 'main' }, instances: 2, env: { A: '1' }, routes: ['web.example.com'] },
  status: { observedGeneration: 3, run: { id: 'r1', kind: 'deploy', phase: 'succeeded', startedAt: '2026-01-02T03:04:06Z' } },
  ...over,
});

test('a resource reads as an App with its bookkeeping, labels and annotations', (t) => {
  const app = appFromResource(resource());
  t.deepEqual(app.metadata, {
    namespace: 'team-a', name: 'web', resourceVersion: '42', generation: 3, createdAt: '2026-01-02T03:04:05Z',
    labels: { team: 'payments' }, annotations: { 'example.com/owner': 'ops' },
  });
  t.is(app.spec.instances, 2);
  t.is(app.status.run?.phase, 'succeeded');
});

test('an App applied with only part of a spec reads with the CRD defaults, and no status as {}', (t) => {
  const app = appFromResource(resource({ spec: { origin: { kind: 'container', image: 'nginx:1' } }, status: undefined }));
  t.deepEqual(app.spec, { origin: { kind: 'container', image: 'nginx:1' }, instances: 1, env: {}, routes: [] });
  t.deepEqual(app.status, {});
  t.deepEqual(specWithDefaults(undefined), { instances: 1, env: {}, routes: [] });
});

test('a resource without labels reads without a labels key (an App equals the file store\'s)', (t) => {
  const app = appFromResource(resource({ metadata: { name: 'web', namespace: 'ns', labels: {}, creationTimestamp: new Date('2026-01-01T00:00:00Z') } }));
  t.false('labels' in app.metadata);
  t.false('annotations' in app.metadata);
  t.is(app.metadata.createdAt, '2026-01-01T00:00:00.000Z');
});

test('writing keeps finalizers and owner references other tools set, and never sends status or managedFields', (t) => {
  const base = resource();
  const app = appFromResource(base);
  app.spec = { ...app.spec, instances: 5 };
  const body = appToResource(app, base);
  t.deepEqual(body.metadata.finalizers, ['example.com/keep']);
  t.deepEqual(body.metadata.ownerReferences, base.metadata.ownerReferences);
  t.is(body.metadata.resourceVersion, '42');
  t.false('managedFields' in body.metadata);
  t.false('status' in body);
  t.is(body.spec?.instances, 5);
});

test('a mutation that rebuilt metadata without labels keeps the labels; one that changed them writes them', (t) => {
  const base = resource();
  const rebuilt: KubeApp = { ...appFromResource(base), metadata: { namespace: 'team-a', name: 'web', resourceVersion: '42', generation: 3, createdAt: '' } };
  t.deepEqual(appToResource(rebuilt).metadata.labels, undefined);
  t.deepEqual(appToResource(rebuilt, base).metadata.labels, { team: 'payments' });
  const relabelled = appFromResource(base);
  relabelled.metadata.labels = { team: 'search' };
  t.deepEqual(appToResource(relabelled, base).metadata.labels, { team: 'search' });
});

test('undefined and null never reach the API server, at any depth', (t) => {
  const spec = { instances: 1, env: {}, routes: ['a', undefined], builder: undefined, origin: { kind: 'git', url: 'https://x/y', revision: undefined, subdir: null } } as unknown as AppSpec;
  const body = appToResource({ metadata: { namespace: 'ns', name: 'web', resourceVersion: '', generation: 0, createdAt: '' }, spec, status: {} });
  t.deepEqual(body.spec, { instances: 1, env: {}, routes: ['a'], origin: { kind: 'git', url: 'https://x/y' } });
  t.is(JSON.stringify(body).includes('null'), false);
  t.deepEqual(pruneEmpty({ a: [{ b: undefined, c: 1 }], d: new Date('2026-01-01T00:00:00Z') }), { a: [{ c: 1 }], d: '2026-01-01T00:00:00.000Z' } as never);
});

test('a status write carries the resourceVersion it was based on and the new status', (t) => {
  const base = resource();
  const body = statusResource(base, { observedGeneration: 4, urls: ['https://web.example.com'] });
  t.is(body.metadata.resourceVersion, '42');
  t.deepEqual(body.status, { observedGeneration: 4, urls: ['https://web.example.com'] });
  t.false('managedFields' in body.metadata);
});

test('writes share nothing with the resource they were based on (the cache holds it), which keeps its managedFields', (t) => {
  const base = resource();
  const before = structuredClone(base);
  const app = appFromResource(base) as KubeApp;
  for (const body of [appToResource(app, base), statusResource(base, { observedGeneration: 4 })]) {
    (body.metadata.finalizers as string[]).push('changed');
    (body.metadata.ownerReferences as { name: string }[])[0]!.name = 'changed';
    body.metadata.labels!.team = 'changed';
    body.spec!.env!.A = 'changed';
  }
  t.deepEqual(base, before);
});
