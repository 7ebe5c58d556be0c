/**
 * The controller's informer caches at work (issue 12), on the fake API: a watch that
 * loses its history (410 Gone) relists, and what the relist brings — here twenty Apps
 * made while no watch was open, each with a spec to reconcile — is handled from the
 * cache, without a GET per App (or per namespace). Requests are counted at the fake.
 * And with reads that fast, pushes at once still run once each.
 */
import test from 'ava';
import { startKubeWorld } from '../helpers/kube-server.ts';
import { goodTree, tgzOf } from '../helpers/archives.ts';

const APPS = 20;
/** A GET of one object (an App, a namespace, a Secret, …), not a list or a watch; the Lease's own renewals aside. */
const isObjectRead = (r: { method: string; path: string; query: Record<string, string> }) =>
  r.method === 'GET' && r.query.watch !== 'true' && !r.path.includes('/leases/') && (/\/namespaces\/[^/]+\/[^/]+\/[^/]+$/.test(r.path) || /^\/api\/v1\/namespaces\/[^/]+$/.test(r.path));

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

const base = '/api/v1/namespaces/workspace/applications';

test('apps pushed at once each run their push once: the controller reading the pending run from its cache does not queue it a second time', async (t) => {
  const w = await startKubeWorld({ autoJobs: 'complete' });
  t.teardown(() => w.close());
  const server = await w.server({ SLIPWAY_LOG_LEVEL: 'silent' });
  // The leader executes what it is asked at once (a replica not leading leaves runs to be adopted).
  await w.kube.waitFor(() => (w.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as any)?.spec?.holderIdentity);
  const names = Array.from({ length: 10 }, (_, i) => `app-${i}`);
  const body = await tgzOf(goodTree);
  for (const name of names) {
    t.is((await server.request('POST', base, { name })).status, 201);
    t.is((await server.request('POST', `${base}/${name}/store`, undefined, { body, headers: { 'content-type': 'application/gzip' } })).status, 200);
  }
  // The controller has looked at each new App: it is idle when the pushes come.
  await w.kube.waitFor(() => names.every((name) => {
    const app = w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', name) as any;
    return app?.status?.observedGeneration === app?.metadata.generation;
  }), { timeoutMs: 30_000 });
  const ids = await Promise.all(names.map(async (name) => ((await (await server.request('POST', `${base}/${name}/deployments`, {})).json()) as { id: string }).id));
  // Each run's first end, as the Apps record it: looked at on every change of the fake's
  // store (a run wrongly recorded as superseded and then run anyway ends "succeeded" later).
  const firstEnd = new Map<string, string>();
  const runs = await w.kube.waitFor(() => {
    names.forEach((name, i) => {
      const status = (w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', name) as any)?.status;
      const run = [...(status?.runs ?? []), status?.run].find((r) => r?.id === ids[i]);
      if (!firstEnd.has(ids[i]!) && (run?.phase === 'succeeded' || run?.phase === 'failed')) firstEnd.set(ids[i]!, run.error?.code ?? run.phase);
    });
    return firstEnd.size === names.length ? ids.map((id) => firstEnd.get(id)) : undefined;
  }, { timeoutMs: 60_000 });
  t.deepEqual(runs, names.map(() => 'succeeded'));
});

test('a push reads no App, namespace or Secret from the API server, opens no watch of its own, and makes at most 10 requests from its POST to its release serving and its Event (49 before the caches, 19 before round 2, 14 before round 3)', async (t) => {
  const w = await startKubeWorld({ autoJobs: 'complete' });
  t.teardown(() => w.close());
  const server = await w.server({ SLIPWAY_LOG_LEVEL: 'silent' });
  await w.kube.waitFor(() => (w.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as any)?.spec?.holderIdentity);
  const body = await tgzOf(goodTree);
  t.is((await server.request('POST', base, { name: 'web' })).status, 201);
  const app = () => w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'web') as any;
  /** Pushes and waits until the release serves and the controller recorded the Deployment's state (its work after the run). */
  const push = async (release: number) => {
    t.is((await server.request('POST', `${base}/web/store`, undefined, { body, headers: { 'content-type': 'application/gzip' } })).status, 200);
    await w.kube.waitFor(() => app()?.status?.observedGeneration === app()?.metadata.generation);
    const from = w.kube.requests.length;
    t.is((await server.request('POST', `${base}/web/deployments`, {})).status, 202);
    await w.kube.waitFor(() => app()?.status?.release?.number === release && app()?.status?.run?.phase === 'succeeded'
      && app()?.status?.runtime?.phase === 'running', { timeoutMs: 30_000 }).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify({ release: app()?.status?.release?.number, run: app()?.status?.run?.phase, runtime: app()?.status?.runtime })}`);
    });
    // The run's one Event is posted after its last status write.
    await w.kube.waitFor(() => w.kube.objects('v1', 'Event', 'workspace').some((e: any) => e.reason === 'Deployed' && e.message.includes(`release ${release} serves`)));
    const window = w.kube.requests.slice(from).filter((r) => !r.path.includes('/leases'));
    watches.push(...window.filter((r) => r.query.watch === 'true').map((r) => `${r.path}?${new URLSearchParams(r.query as Record<string, string>)}`));
    return window.filter((r) => r.query.watch !== 'true');
  };
  const watches: string[] = [];
  await push(1); // the first push also makes the build cache claim and the Secret copies, and starts the Job and Ingress caches
  watches.length = 0;
  const made = await push(2);
  const kinds = made.map((r) => `${r.method} ${r.path.replace(/^\/apis?\/(?:[^/]+\/)?v1[^/]*\/(?:namespaces\/[^/]+\/)?/, '')}`);
  t.deepEqual(kinds.filter((k) => /^GET (apps|secrets|namespaces)\//.test(k)), [], kinds.join('\n'));
  t.log(`${made.length} requests: ${kinds.join(", ")}`);
  // Round 2: an unchanged env Secret is not applied again, the cache claim is created
  // rather than read, the Job is followed by its watch alone. 13 on a quiet machine; the
  // slack is the rollout wait's 2 s poll (a Deployment GET and a pod LIST) under load.
  t.deepEqual(kinds.filter((k) => /^(PATCH secrets|GET persistentvolumeclaims|GET jobs\/)/.test(k)), [], kinds.join('\n'));
  // Round 3: the staging Jobs, the Ingresses and the rollout are read from caches (no LIST,
  // no watch of the push's own), the run is recorded as staging in its first write and its
  // success carries the runtime state, one Event per run, the claim is known from the
  // first push, and the Service and Ingress are as the first push left them. 6 on a quiet
  // machine: 3 status writes, the Job, the Deployment apply, the Event; the slack is a
  // fresh read of a rollout the cache has not shown done within 2 s (a Deployment GET
  // and a pod LIST) and a Service or Ingress apply when its cache lags.
  t.deepEqual(kinds.filter((k) => /^GET (jobs|ingresses)$/.test(k)), [], kinds.join('\n'));
  t.deepEqual(watches.filter((w) => /fieldSelector|\/pods\?/.test(w)), [], watches.join('\n'));
  t.true(made.length <= 10, `${made.length} requests:\n${kinds.join('\n')}`);
});
