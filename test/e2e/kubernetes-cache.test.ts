/**
 * The controller's informer caches at work (issue 12), on the fake API: a watch that
 * loses its history (410 Gone) relists, and what the relist brings — here twenty Apps
 * made while no watch was open, each with a spec to reconcile — is handled from the
 * cache, without a GET per App (or per namespace). Requests are counted at the fake.
 */
import test from 'ava';
import { startKubeWorld } from '../helpers/kube-server.ts';

const APPS = 20;
/** A GET of one object (an App, a namespace, a Secret, …), not a list or a watch. */
const isObjectRead = (r: { method: string; path: string; query: Record<string, string> }) =>
  r.method === 'GET' && r.query.watch !== 'true' && (/\/namespaces\/[^/]+\/[^/]+\/[^/]+$/.test(r.path) || /^\/api\/v1\/namespaces\/[^/]+$/.test(r.path));

test('a watch drop with 410 relists, and the Apps it brings are reconciled without a read per App', async (t) => {
  const w = await startKubeWorld();
  t.teardown(() => w.close());
  await w.server();
  await w.kube.waitFor(() => (w.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as any)?.spec?.holderIdentity);
  const namespace = w.kube.object('v1', 'Namespace', undefined, 'workspace');
  t.truthy(namespace, 'the server made its default namespace');

  const from = w.kube.requests.length;
  // Synchronously, so no watch sees them: the streams end, the Apps are written, the history is forgotten.
  w.kube.faults.dropWatches();
  for (let i = 0; i < APPS; i++) {
    void w.kube.seed({ apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { namespace: 'workspace', name: `app-${i}` }, spec: { instances: 1, env: {}, routes: [] } });
  }
  w.kube.faults.compact();

  // Each App's spec is observed (a status write) once the relist brought it to the leader.
  await w.kube.waitFor(() => Array.from({ length: APPS }, (_, i) => w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', `app-${i}`) as any)
    .every((app) => app?.status?.observedGeneration === 1), { timeoutMs: 30_000 });
  const since = w.kube.requests.slice(from);
  t.true(since.some((r) => r.method === 'GET' && r.path === '/apis/slipway.dev/v1alpha1/apps' && r.query.watch !== 'true'), 'the Apps were listed again');
  const reads = since.filter(isObjectRead).map((r) => `${r.method} ${r.path}`);
  t.deepEqual(reads.filter((r) => r.includes('/apps/') || r.startsWith('GET /api/v1/namespaces/workspace') && !r.includes('/secrets/')), []);
  // The namespace gained its first Apps: the Secret sync checks its two copies, once for the namespace, not per App.
  t.true(reads.length <= 2, reads.join(', '));
});
