import test, { type ExecutionContext } from 'ava';
import type { KubernetesObject } from '@kubernetes/client-node';
import { silentLogger } from '../../../core/ports/logger.ts';
import { startFakeKube, type FakeKube, type KubeObject } from '../../helpers/fake-kube/index.ts';
import type { ResourceWatch } from '../../../controller/adapters/kube/control/watch-resource.ts';
import { createRuntimeCaches, type CachedJob, type WaitableCache } from '../../../controller/adapters/kube/cache/runtime-caches.ts';
import { createKeyWaiters } from '../../../controller/adapters/kube/cache/key-waiters.ts';
import type { CachedDeployment } from '../../../controller/adapters/kube/cache/kube-cache.ts';
import { waitForCachedJob } from '../../../controller/adapters/kube/runtime/stage/wait-for-cached-job.ts';
import { supersedeStages } from '../../../controller/adapters/kube/runtime/stage/supersede-stages.ts';
import { pruneIngresses } from '../../../controller/adapters/kube/runtime/deploy/apply-app-objects.ts';
import { createKubeDeployer } from '../../../controller/adapters/kube/runtime/deploy/create-kube-deployer.ts';
import { CRD_FILE, SETTINGS, createApp, deployInput } from '../kube-deploy/deploy-fixture.ts';
import { waitForCachedRollout } from '../../../controller/adapters/kube/runtime/deploy/wait-for-cached-rollout.ts';

const NS = 'team';
const fast = { initialMs: 20, maxMs: 200 };

async function setUp(t: ExecutionContext, autoRollout = true) {
  const kube = await startFakeKube({ autoRollout });
  t.teardown(() => kube.close());
  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const kc = kube.kubeConfig();
  const caches = createRuntimeCaches({ kc, logger: silentLogger, backoff: fast });
  t.teardown(() => caches.stop());
  return { kube, kc, caches };
}

/** A staging Job of `app` as stage() creates it (labels only: the fake runs what it is told). */
function stageJob(app: string, name: string): KubeObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'slipway', 'slipway.dev/app': app, 'app.kubernetes.io/component': 'stage' } },
    spec: { template: { metadata: { labels: { 'slipway.dev/app': app } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'builder' }] } } },
  } as KubeObject;
}

const jobReads = (kube: FakeKube, from: number) => kube.requests.slice(from).filter((r) => r.method === 'GET' && r.path.includes('/jobs') && (r.path.split('/').at(-1) !== 'jobs' || r.query.fieldSelector));
const jobLists = (kube: FakeKube, from: number) => kube.requests.slice(from).filter((r) => r.method === 'GET' && r.path === '/apis/batch/v1/jobs' && r.query.watch !== 'true');

/** A ResourceWatch whose contents the test sets: a cache as stale as the test wants. */
function stubWatch<T extends KubernetesObject>(objects: T[] = []) {
  const handlers: Record<string, Array<(...args: never[]) => void>> = { add: [], update: [], delete: [], resync: [] };
  let held = objects;
  const watch: ResourceWatch<T> = {
    start: async () => {}, stop: async () => {}, synced: true,
    list: () => [...held],
    get: (namespace, name) => held.find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name),
    on: (event: string, handler: (...args: never[]) => void) => { handlers[event]!.push(handler); },
  } as ResourceWatch<T>;
  return {
    watch,
    /** Replaces what the cache holds and tells its listeners, as a relist would. */
    set(next: T[]) { held = next; for (const h of handlers.resync!) (h as () => void)(); },
  };
}

test('the Job cache: a staging Job is waited for with no read or watch of its own, and one the cache lost is deleted', async (t) => {
  const { kube, kc, caches } = await setUp(t);
  caches.use();
  await kube.waitFor(() => caches.jobs.watch.synced);
  const from = kube.requests.length;
  await kube.seed(stageJob('web', 'stage-1'));
  const waiting = waitForCachedJob(kc, caches.jobs, NS, 'stage-1', { timeoutMs: 10_000 });
  await kube.waitFor(() => caches.jobs.watch.get(NS, 'stage-1'));
  kube.jobs.complete(NS, 'stage-1');
  t.is((await waiting).kind, 'finished');
  await kube.seed(stageJob('web', 'stage-2'));
  const gone = waitForCachedJob(kc, caches.jobs, NS, 'stage-2', { timeoutMs: 10_000 });
  await kube.waitFor(() => caches.jobs.watch.get(NS, 'stage-2'));
  await kc.makeApiClient((await import('@kubernetes/client-node')).BatchV1Api).deleteNamespacedJob({ namespace: NS, name: 'stage-2' });
  t.is((await gone).kind, 'deleted');
  t.deepEqual(jobReads(kube, from), [], 'no GET or watch of one Job');
});

test('the Job cache: a Job the cache has not shown yet is not taken as deleted; it is waited for through the API', async (t) => {
  const { kube, kc } = await setUp(t);
  // A cache that never shows the Job (lagging, or a watch that lost it).
  const stale = stubWatch<CachedJob>();
  const jobs: WaitableCache<CachedJob> = { watch: stale.watch, waiters: createKeyWaiters(stale.watch) };
  await kube.seed(stageJob('web', 'stage-1'));
  const waiting = waitForCachedJob(kc, jobs, NS, 'stage-1', { timeoutMs: 10_000, unseenMs: 200 });
  stale.set([]); // a relist without it: still not "deleted", it was never seen
  kube.jobs.complete(NS, 'stage-1');
  const result = await waiting;
  t.is(result.kind, 'finished');
});

test('the Job cache: after a watch drop with 410 it relists once, without a read per Job, and the waits in progress end', async (t) => {
  const { kube, kc, caches } = await setUp(t);
  caches.use();
  await kube.waitFor(() => caches.jobs.watch.synced);
  const names = ['s-1', 's-2', 's-3', 's-4', 's-5'];
  for (const name of names) await kube.seed(stageJob(`app-${name}`, name));
  await kube.waitFor(() => names.every((name) => caches.jobs.watch.get(NS, name)));
  const waits = names.map((name) => waitForCachedJob(kc, caches.jobs, NS, name, { timeoutMs: 20_000 }));
  let resyncs = 0;
  caches.jobs.watch.on('resync', () => { resyncs++; });
  const from = kube.requests.length;
  kube.faults.dropWatches();
  kube.faults.compact();
  await kube.waitFor(() => resyncs > 0, { timeoutMs: 10_000 });
  for (const name of names) kube.jobs.complete(NS, name);
  t.deepEqual((await Promise.all(waits)).map((w) => w.kind), names.map(() => 'finished'));
  t.is(jobLists(kube, from).length, 1, 'one relist');
  t.deepEqual(jobReads(kube, from), [], 'no GET or watch per Job');
});

test('superseding reads the app\'s running staging Jobs from the cache: no LIST, finished and other apps\' Jobs stay', async (t) => {
  const { kube, kc, caches } = await setUp(t);
  caches.use();
  await kube.waitFor(() => caches.jobs.watch.synced);
  for (const [app, name] of [['web', 'old'], ['web', 'done'], ['web', 'new'], ['api', 'other']] as const) await kube.seed(stageJob(app, name));
  kube.jobs.complete(NS, 'done');
  await kube.waitFor(() => caches.jobs.watch.list().length === 4 && caches.jobs.watch.get(NS, 'done')?.status?.conditions?.length);
  const from = kube.requests.length;
  t.deepEqual(await supersedeStages(kc, NS, 'web', 'new', caches.jobs.watch), ['old']);
  t.deepEqual(kube.objects('batch/v1', 'Job', NS).map((j) => j.metadata.name).sort(), ['done', 'new', 'other']);
  t.deepEqual(jobLists(kube, from).concat(kube.requests.slice(from).filter((r) => r.method === 'GET' && r.path.endsWith('/jobs'))), []);
});

test('pruning reads Ingresses from the cache: a stale entry is a DELETE answered 404, and a listed route is never deleted', async (t) => {
  const { kube, kc } = await setUp(t);
  const labels = { 'app.kubernetes.io/managed-by': 'slipway', 'slipway.dev/app': 'web' };
  const ingress = (name: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: NS, labels } });
  await kube.seed({ ...ingress('web-keep'), spec: { rules: [{ host: 'web.example.com' }] } } as KubeObject);
  await kube.seed({ ...ingress('web-old'), spec: { rules: [{ host: 'old.example.com' }] } } as KubeObject);
  // The cache still shows one that went, and shows the kept one; it has not seen web-old yet.
  const stale = stubWatch<KubernetesObject>([ingress('web-keep'), ingress('web-gone'), { ...ingress('api-x'), metadata: { ...ingress('api-x').metadata, labels: { ...labels, 'slipway.dev/app': 'api' } } }]);
  const from = kube.requests.length;
  t.deepEqual(await pruneIngresses(kc, NS, 'web', new Set(['web-keep']), undefined, stale.watch), ['web-gone']);
  t.truthy(kube.object('networking.k8s.io/v1', 'Ingress', NS, 'web-keep'));
  t.deepEqual(kube.requests.slice(from).map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`), ['DELETE ingresses/web-gone']);
  // Once the cache shows web-old, the next deploy prunes it.
  stale.set([ingress('web-keep'), ingress('web-old')]);
  t.deepEqual(await pruneIngresses(kc, NS, 'web', new Set(['web-keep']), undefined, stale.watch), ['web-old']);
  t.falsy(kube.object('networking.k8s.io/v1', 'Ingress', NS, 'web-old'));
});

test('the rollout wait on the Deployment cache: a cached Deployment older than the applied generation never ends it', async (t) => {
  const { kube, kc } = await setUp(t, false);
  const deployment = await kube.seed({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'slipway', 'slipway.dev/app': 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { 'slipway.dev/app': 'web' } }, template: { metadata: { labels: { 'slipway.dev/app': 'web' } }, spec: { containers: [{ name: 'app', image: 'v2' }] } } },
  } as KubeObject);
  const generation = (deployment.metadata as { generation?: number }).generation ?? 1;
  // The cache still holds the previous release, fully rolled out.
  const done = (gen: number): CachedDeployment => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS, generation: gen },
    spec: { replicas: 1 }, status: { observedGeneration: gen, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
  });
  const stale = stubWatch<CachedDeployment>([done(generation - 1)]);
  let settled = false;
  const from = kube.requests.length;
  const waiting = waitForCachedRollout({ kc, logger: silentLogger, namespace: NS, app: 'web', what: 'release 2 of web', timeoutMs: 20_000 },
    { watch: stale.watch, waiters: createKeyWaiters(stale.watch) }, generation).then(() => { settled = true; });
  // Its fresh read (the rollout is slow) finds the new release not rolled out: still waiting.
  await kube.waitFor(() => kube.requests.slice(from).some((r) => r.method === 'GET' && r.path.endsWith('/pods')), { timeoutMs: 10_000 });
  stale.set([done(generation - 1)]);
  await new Promise((resolve) => setImmediate(resolve));
  t.false(settled, 'the stale cache did not end the wait');
  // The cache catches up with the new generation rolled out: done, without another read.
  const reads = kube.requests.length;
  stale.set([done(generation)]);
  await waiting;
  t.is(kube.requests.length, reads);
});

test('a repeat deploy applies no unchanged Service or Ingress; one written meanwhile (a hand edit) is applied again', async (t) => {
  const kube = await startFakeKube({ crds: [CRD_FILE] });
  t.teardown(() => kube.close());
  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const kc = kube.kubeConfig();
  const caches = createRuntimeCaches({ kc, logger: silentLogger, backoff: fast });
  t.teardown(() => caches.stop());
  const deployer = createKubeDeployer({ kc, logger: silentLogger, settings: SETTINGS, caches });
  await createApp(kube, 'web');
  const applies = (from: number) => kube.requests.slice(from).filter((r) => r.method === 'PATCH').map((r) => r.path.split('/').slice(-2).join('/')).sort();
  let from = kube.requests.length;
  await deployer.deploy(deployInput('web', 's-1'));
  t.deepEqual(applies(from), ['deployments/web', 'ingresses/web', 'secrets/web-env', 'services/web']);
  const service = kube.object('v1', 'Service', NS, 'web')!;
  await kube.waitFor(() => caches.services.synced && caches.services.get(NS, 'web')?.metadata?.resourceVersion === service.metadata.resourceVersion);
  const ingressName = kube.objects('networking.k8s.io/v1', 'Ingress', NS)[0]!.metadata.name!;
  await kube.waitFor(() => caches.ingresses.watch.get(NS, ingressName)?.metadata?.resourceVersion === kube.object('networking.k8s.io/v1', 'Ingress', NS, ingressName)!.metadata.resourceVersion);
  from = kube.requests.length;
  await deployer.deploy(deployInput('web', 's-2'));
  t.deepEqual(applies(from), ['deployments/web', 'secrets/web-env'], 'the Service and Ingress are as this process left them');
  // Someone edits the Service: its resourceVersion moves, and the next deploy takes it back.
  await kube.seed({ ...service, metadata: { ...service.metadata, labels: { ...service.metadata.labels, edited: 'by-hand' } } } as KubeObject);
  const edited = kube.object('v1', 'Service', NS, 'web')!.metadata.resourceVersion;
  await kube.waitFor(() => caches.services.get(NS, 'web')?.metadata?.resourceVersion === edited);
  from = kube.requests.length;
  await deployer.deploy(deployInput('web', 's-3'));
  t.deepEqual(applies(from), ['deployments/web', 'secrets/web-env', 'services/web'].sort());
});
