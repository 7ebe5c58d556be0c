import test from 'ava';
import { appFromResource, type AppResource } from '../../../controller/adapters/kube/state/app-resource.ts';
import { cachedAppView, keepAppResource } from '../../../controller/adapters/kube/state/cached-app.ts';

/** A resource as JSON.parse gives it: nulls where the API server sent them, managedFields, a partial spec. */
const parsed = (): AppResource => JSON.parse(JSON.stringify({
  apiVersion: 'slipway.dev/v1alpha1', kind: 'App',
  metadata: {
    name: 'web', namespace: 'team-a', uid: 'u-1', resourceVersion: '42', generation: 3, creationTimestamp: '2026-01-02T03:04:05Z',
    labels: { team: 'payments' }, finalizers: ['example.com/keep'], managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  spec: { origin: { kind: 'container', image: 'nginx:1' }, env: null },
  status: { observedGeneration: 3, message: null, releases: [null, { number: 1, stageId: 's-1', image: 'i:1', note: null }], conditions: [] },
})) as AppResource;

test('a cached App resource is normalised in place: no managedFields, CRD defaults, no nulls; what writers need is kept', (t) => {
  const resource = parsed();
  const kept = keepAppResource(resource);
  t.is(kept, resource, 'no copy');
  t.false('managedFields' in kept.metadata);
  t.like(kept.metadata, { uid: 'u-1', resourceVersion: '42', generation: 3, finalizers: ['example.com/keep'], labels: { team: 'payments' } });
  t.deepEqual(kept.spec, { origin: { kind: 'container', image: 'nginx:1' }, instances: 1, env: {}, routes: [] });
  t.deepEqual(kept.status as unknown, { observedGeneration: 3, releases: [{ number: 1, stageId: 's-1', image: 'i:1' }], conditions: [] });
});

test('the App of a cached resource equals the converted one and shares its spec and status; other resources are copied', (t) => {
  const kept = keepAppResource(parsed());
  const view = cachedAppView(kept);
  t.deepEqual(view, appFromResource(parsed()));
  t.is<unknown, unknown>(view.spec, kept.spec);
  t.is<unknown, unknown>(view.status, kept.status);
  const raw = parsed();
  const copy = cachedAppView(raw);
  t.deepEqual(copy, view);
  t.not<unknown, unknown>(copy.status, raw.status);
});

test('equal lists of strings in one cached App become one list; values are unchanged', (t) => {
  const routes = ['web.example.com', 'www.example.com/shop'];
  const urls = ['https://web.example.com/', 'https://www.example.com/shop'];
  const run = (n: number) => ({ id: `run-${n}`, kind: 'deploy', phase: 'succeeded', image: `registry.example.com/team-a/web:rev-000${n}`, routes: [...routes], urls: [...urls], startedAt: `2026-01-0${n}T00:00:00.000Z` });
  const source = {
    apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name: 'web', namespace: 'team-a', uid: 'u-1', resourceVersion: '7' },
    spec: { origin: { kind: 'container', image: 'nginx:1' }, routes: [...routes] },
    status: { routes: [...routes], urls: [...urls], run: run(3), runs: [run(3), run(2), run(1)], releases: [{ number: 2, stageId: 's-2', image: 'registry.example.com/team-a/web:rev-0003', blobuid: 'b-2', createdAt: '2026-01-03T00:00:00.000Z' }] },
  };
  const kept = keepAppResource(JSON.parse(JSON.stringify(source)) as AppResource);
  t.deepEqual(JSON.parse(JSON.stringify(kept.status)), source.status, 'the status reads the same');
  const runs = kept.status!.runs!;
  t.is(runs[0]!.routes, runs[1]!.routes);
  t.is(runs[1]!.urls, runs[2]!.urls);
  t.is(kept.status!.routes, runs[0]!.routes);
  t.is(kept.status!.run!.urls, kept.status!.urls);
  t.not(runs[0]!.routes, runs[0]!.urls as unknown, 'different lists stay apart');
  // A clone the writers change is its own: the cached lists are not reached.
  const clone = structuredClone(kept);
  clone.status!.routes = ['other.example.com'];
  t.deepEqual(kept.status!.routes, routes);
});
