/**
 * The Kubernetes state store against the fake API server, over a real socket, with the
 * real CRD from the chart installed.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { stateStoreContract } from '../../helpers/state-store-contract.ts';
import { createKubeStateStore } from '../../../controller/adapters/kube/state/kube-state-store.ts';
import { systemClock } from '../../../core/ports/clock.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import type { App, AppSpec } from '../../../core/types.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';

const CRD = fileURLToPath(new URL('../../../charts/slipway/crds/apps.slipway.dev.yaml', import.meta.url));
const APPS = { group: 'slipway.dev', version: 'v1alpha1', plural: 'apps' };
const started: FakeKube[] = [];

async function fake(crds = [CRD]): Promise<FakeKube> {
  const kube = await startFakeKube({ crds });
  started.push(kube);
  return kube;
}
test.after.always(() => Promise.all(started.map((k) => k.close())));

const storeOn = (kube: FakeKube, options: { conflictAttempts?: number } = {}) =>
  createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock, ...options });

const newApp = (namespace: string, name: string, spec: Partial<AppSpec> = {}): Pick<App, 'metadata' | 'spec'> => ({
  metadata: { namespace, name, resourceVersion: '', generation: 0, createdAt: '' },
  spec: { instances: 1, env: {}, routes: [], ...spec },
});

async function withApp(): Promise<{ kube: FakeKube; store: StateStore }> {
  const kube = await fake();
  const store = storeOn(kube);
  await store.createNamespace('team-a');
  await store.createApp(newApp('team-a', 'web', { origin: { kind: 'git', url: 'https://git.example.com/web.git', revision: 'main' } }));
  return { kube, store };
}

stateStoreContract(test, 'kube state store', async () => storeOn(await fake()));

test('updates bump resourceVersion, and generation only on spec changes (with a real status field)', async (t) => {
  const { store } = await withApp();
  const v1 = (await store.getApp('team-a', 'web'))!;
  const v2 = await store.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, observedGeneration: 1 } }));
  t.not(v2.metadata.resourceVersion, v1.metadata.resourceVersion);
  t.is(v2.metadata.generation, 1);
  const v3 = await store.updateApp('team-a', 'web', (app) => ({ ...app, spec: { ...app.spec, instances: 3 } }));
  t.is(v3.metadata.generation, 2);
  t.is((await store.getApp('team-a', 'web'))?.spec.instances, 3);
  t.true(isSlipwayError(await t.throwsAsync(store.updateApp('team-a', 'nope', (a) => a)), 'app_not_found'));
});

test('an App applied with only a spec (as kubectl does) reads back with the defaults, and can be updated', async (t) => {
  const kube = await fake();
  const store = storeOn(kube);
  await store.createNamespace('team-a');
  await kube.kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...APPS, namespace: 'team-a',
    body: { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name: 'nginx' }, spec: { origin: { kind: 'container', image: 'nginx:1.27' } } },
  });
  const app = await store.getApp('team-a', 'nginx');
  t.deepEqual(app?.spec, { origin: { kind: 'container', image: 'nginx:1.27' }, instances: 1, env: {}, routes: [] });
  t.deepEqual(app?.status, {});
  t.is(app?.metadata.generation, 1);
  t.deepEqual((await store.listApps('team-a')).map((a) => a.metadata.name), ['nginx']);
  const updated = await store.updateApp('team-a', 'nginx', (a) => ({ ...a, status: { ...a.status, observedGeneration: 1 } }));
  t.is(updated.status.observedGeneration, 1);
});

test('two stores updating one App at once lose no write, even through a storm of conflicts', async (t) => {
  const { kube, store } = await withApp();
  const other = storeOn(kube);
  kube.faults.conflicts({ times: 20 });
  await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? store : other).updateApp('team-a', 'web', (app) => i % 4 < 2
    ? { ...app, spec: { ...app.spec, env: { ...app.spec.env, [`K${i}`]: String(i) } } }
    : { ...app, status: { ...app.status, urls: [...(app.status.urls ?? []), `https://u${i}.example.com`] } })));
  const app = await store.getApp('team-a', 'web');
  t.is(Object.keys(app!.spec.env).length, 8);
  t.is(app!.status.urls?.length, 8);
  t.true(kube.requests.filter((r) => r.method === 'PUT').length >= 16 + 20);
});

test('an App that keeps changing gives up with a conflict error, not a lost write', async (t) => {
  const kube = await fake();
  const store = storeOn(kube, { conflictAttempts: 3 });
  await store.createNamespace('ns');
  await store.createApp(newApp('ns', 'web'));
  kube.faults.conflicts({ times: 1000 });
  const error = await t.throwsAsync(store.updateApp('ns', 'web', (app) => ({ ...app, spec: { ...app.spec, instances: 2 } })));
  t.true(isSlipwayError(error, 'conflict'), String(error));
  t.is(kube.requests.filter((r) => r.method === 'PUT').length, 3);
});

test('500s and 503s from the API server are retried', async (t) => {
  const { kube, store } = await withApp();
  kube.faults.fail({ times: 2, match: (req) => req.method === 'GET' && req.path.endsWith('/apps/web') });
  t.is((await store.getApp('team-a', 'web'))?.metadata.name, 'web');
  kube.faults.fail({ times: 2, status: 503, match: (req) => req.method === 'PUT' && req.path.endsWith('/status') });
  const app = await store.updateApp('team-a', 'web', (a) => ({ ...a, status: { ...a.status, observedGeneration: 1 } }));
  t.is(app.status.observedGeneration, 1);
  kube.faults.fail({ times: 2, match: (req) => req.method === 'GET' && req.path === '/api/v1/namespaces' });
  t.deepEqual((await store.listNamespaces()).map((n) => n.name), ['team-a']);
});

test('an API server that keeps failing gives a retryable error that does not leak the response', async (t) => {
  const { kube, store } = await withApp();
  kube.faults.fail({ times: 100, match: (req) => req.path.includes('/apps/web') });
  const error = await t.throwsAsync(store.getApp('team-a', 'web'));
  t.true(isSlipwayError(error, 'kubernetes_error'), String(error));
  t.is((error as { retry?: string }).retry, 'backoff');
  t.notRegex(error!.message, /Headers|HTTP-Code/);
});

const refused = test.macro({
  async exec(t, spec: Record<string, unknown>, field: RegExp) {
    const { store } = await withApp();
    const error = await t.throwsAsync(store.createApp(newApp('team-a', 'bad', spec as Partial<AppSpec>)));
    t.true(isSlipwayError(error, 'invalid_request'), String(error));
    t.is((error as { status?: number }).status, 422);
    t.regex(error!.message, field);
    t.is(await store.getApp('team-a', 'bad'), undefined);
  },
  title: (given = '') => `the CRD refuses ${given}, naming the field`,
});
test('instances -1', refused, { instances: -1 }, /spec\.instances/);
test('instances 1000', refused, { instances: 1000 }, /spec\.instances/);
test('origin kind ftp', refused, { origin: { kind: 'ftp', url: 'ftp://x' } }, /spec\.origin\.kind/);
test('a git URL with credentials', refused, { origin: { kind: 'git', url: 'https://user:token@example.com/r.git' } }, /spec\.origin\.url/);

test('a bad status is refused too, and the App is left as it was', async (t) => {
  const { store } = await withApp();
  const error = await t.throwsAsync(store.updateApp('team-a', 'web', (app) => ({
    ...app, status: { ...app.status, run: { id: 'r1', kind: 'deploy', phase: 'exploded' as 'failed', startedAt: new Date().toISOString() } },
  })));
  t.true(isSlipwayError(error, 'invalid_request'), String(error));
  t.regex(error!.message, /status\.run\.phase/);
  t.deepEqual((await store.getApp('team-a', 'web'))?.status, {});
});

test('status goes through the /status subresource, spec through the resource, and only what changed is written', async (t) => {
  const { kube, store } = await withApp();
  const path = '/apis/slipway.dev/v1alpha1/namespaces/team-a/apps/web';
  const puts = () => kube.requests.filter((r) => r.method === 'PUT').map((r) => r.path);
  await store.updateApp('team-a', 'web', (app) => ({ ...app, status: { ...app.status, urls: ['https://web.example.com'] } }));
  t.deepEqual(puts(), [`${path}/status`]);
  const v = await store.updateApp('team-a', 'web', (app) => ({ ...app, spec: { ...app.spec, instances: 3 } }));
  t.deepEqual(puts(), [`${path}/status`, path]);
  t.is(v.metadata.generation, 2);
  t.deepEqual(v.status.urls, ['https://web.example.com']);
  const mainPut = kube.requests.filter((r) => r.method === 'PUT' && r.path === path)[0]!;
  t.false('status' in (mainPut.body as object));
  t.is(mainPut.fieldManager, 'slipway');
  await store.updateApp('team-a', 'web', (app) => app);
  t.is(puts().length, 2, 'an unchanged App is not written');
  const stored = kube.object('slipway.dev/v1alpha1', 'App', 'team-a', 'web');
  t.deepEqual(stored?.status, { urls: ['https://web.example.com'] });
  t.deepEqual(kube.rejections, []);
});

test('an App created with a status stores it through /status', async (t) => {
  const kube = await fake();
  const store = storeOn(kube);
  await store.createNamespace('ns');
  const created = await store.createApp({ ...newApp('ns', 'web'), status: { observedGeneration: 1, routes: ['web.example.com'] } });
  t.deepEqual(created.status, { observedGeneration: 1, routes: ['web.example.com'] });
  t.true(kube.requests.some((r) => r.method === 'PUT' && r.path.endsWith('/apps/web/status')));
  t.deepEqual((await store.getApp('ns', 'web'))?.status.routes, ['web.example.com']);
});

test('labels, annotations and finalizers other tools set survive Slipway\'s writes', async (t) => {
  const { kube, store } = await withApp();
  const stored = kube.object('slipway.dev/v1alpha1', 'App', 'team-a', 'web')!;
  await kube.seed({ ...stored, metadata: { ...stored.metadata, labels: { team: 'payments' }, annotations: { 'argocd.argoproj.io/tracking-id': 'x' }, finalizers: ['example.com/keep'] } });
  const app = await store.updateApp('team-a', 'web', (a) => ({ ...a, spec: { ...a.spec, routes: ['web.example.com'] } }));
  t.deepEqual((app.metadata as { labels?: unknown }).labels, { team: 'payments' });
  const after = kube.object('slipway.dev/v1alpha1', 'App', 'team-a', 'web')!;
  t.deepEqual(after.metadata.labels, { team: 'payments' });
  t.deepEqual(after.metadata.annotations, { 'argocd.argoproj.io/tracking-id': 'x' });
  t.deepEqual(after.metadata.finalizers, ['example.com/keep']);
  t.deepEqual((after.spec as AppSpec).routes, ['web.example.com']);
});

test('namespaces are the labelled ones; an unlabelled namespace is never listed, filled or deleted', async (t) => {
  const kube = await fake();
  const store = storeOn(kube);
  const created = await store.createNamespace('team-a');
  t.truthy(Date.parse(created.createdAt));
  t.deepEqual(kube.object('v1', 'Namespace', undefined, 'team-a')?.metadata.labels, { 'slipway.dev/namespace': 'true', 'app.kubernetes.io/managed-by': 'slipway' });
  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' }, status: { phase: 'Active' } });
  t.deepEqual((await store.listNamespaces()).map((n) => n.name), ['team-a'], 'default, kube-system and legacy are not Slipway\'s');
  t.is(await store.getNamespace('legacy'), undefined);
  const exists = await t.throwsAsync(store.createNamespace('legacy'));
  t.true(isSlipwayError(exists, 'namespace_exists'));
  t.regex(exists!.message, /not a Slipway namespace.*kubectl label namespace legacy slipway\.dev\/namespace=true/);
  t.true(isSlipwayError(await t.throwsAsync(store.deleteNamespace('legacy')), 'namespace_not_found'));
  t.truthy(kube.object('v1', 'Namespace', undefined, 'legacy'), 'still there');
  t.true(isSlipwayError(await t.throwsAsync(store.createApp(newApp('legacy', 'web'))), 'namespace_not_found'));
  t.true(isSlipwayError(await t.throwsAsync(store.listApps('legacy')), 'namespace_not_found'));
  // What an admin runs: kubectl label namespace legacy slipway.dev/namespace=true (a merge patch).
  await kube.kubeConfig().makeApiClient(CoreV1Api).patchNamespace({ name: 'legacy', body: { metadata: { labels: { 'slipway.dev/namespace': 'true' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  t.is((await store.getNamespace('legacy'))?.name, 'legacy', 'labelling adopts it');
  t.deepEqual((await store.listNamespaces()).map((n) => n.name), ['legacy', 'team-a']);
});

test('a namespace being deleted counts as gone', async (t) => {
  const kube = await fake();
  const store = storeOn(kube);
  await kube.seed({
    apiVersion: 'v1', kind: 'Namespace', status: { phase: 'Terminating' },
    metadata: { name: 'leaving', labels: { 'slipway.dev/namespace': 'true' }, deletionTimestamp: new Date().toISOString() },
  });
  t.is(await store.getNamespace('leaving'), undefined);
  t.deepEqual(await store.listNamespaces(), []);
  t.true(isSlipwayError(await t.throwsAsync(store.deleteNamespace('leaving')), 'namespace_not_found'));
  const again = await t.throwsAsync(store.createNamespace('leaving'));
  t.true(isSlipwayError(again, 'namespace_exists'));
  t.regex(again!.message, /still being deleted/);
});

test('without the CRD installed, every App call says how to install it', async (t) => {
  const kube = await fake([]);
  const store = storeOn(kube);
  await store.createNamespace('ns');
  for (const call of [() => store.getApp('ns', 'web'), () => store.listApps('ns'), () => store.createApp(newApp('ns', 'web')),
    () => store.updateApp('ns', 'web', (a) => a), () => store.deleteApp('ns', 'web')]) {
    const error = await t.throwsAsync(call());
    t.true(isSlipwayError(error, 'kubernetes_crd_missing'), String(error));
    t.regex(error!.message, /kubectl apply -f charts\/slipway\/crds\//);
  }
});

test('every AppStatus and AppSpec field core/types.ts has fits the CRD schema, and reads back unchanged', async (t) => {
  const { kube, store } = await withApp();
  const at = '2026-03-04T05:06:07.000Z';
  const run = { id: 'r2', kind: 'deploy' as const, phase: 'failed' as const, blobuid: 'b2', revision: 'a'.repeat(40), branch: 'main', stageId: 's2', image: 'registry.example.com/team-a-web:s2', release: 2, routes: ['web.example.com'], urls: ['https://web.example.com'], error: { code: 'stage_failed', message: 'build failed' }, startedAt: at, finishedAt: at, generation: 2 };
  const release = { number: 1, stageId: 's1', image: 'registry.example.com/team-a-web:s1', blobuid: 'b1', revision: 'b'.repeat(40), branch: 'main', createdAt: at };
  const status = {
    source: { blobuid: 'b2', revision: 'a'.repeat(40), branch: 'main', subdir: 'apps/web', url: 'https://git.example.com/web.git', format: 'tar.gz' as const, size: 1234, createdAt: at },
    run, runs: [run, { ...run, id: 'r1', phase: 'succeeded' as const, error: undefined }], release, releases: [release],
    routes: ['web.example.com'], urls: ['https://web.example.com'],
    runtime: { phase: 'Running', desired: 2, ready: 1, restarts: 3, message: 'one pod starting' },
    watch: { lastCheck: at, head: 'a'.repeat(40), error: { code: 'git_unreachable', message: 'timeout' }, nextCheck: at, failures: 1 },
    conditions: [
      { type: 'Ready' as const, status: 'True' as const, reason: 'RolloutComplete', message: '2 of 2 ready', lastTransitionTime: at, observedGeneration: 2 },
      { type: 'Staged' as const, status: 'False' as const, reason: 'StageFailed', message: 'build failed', lastTransitionTime: at },
      { type: 'Deployed' as const, status: 'Unknown' as const, reason: 'Pending', message: '', lastTransitionTime: at },
    ],
    observedGeneration: 2,
  };
  const spec: AppSpec = {
    origin: { kind: 'git', url: 'https://git.example.com/web.git', revision: 'v1.2.3', branch: 'release/1.x', subdir: 'apps/web', watch: true, interval: '1m30s' },
    instances: 2, env: { LOG_LEVEL: 'info', EMPTY: '' }, routes: ['web.example.com', 'example.com/web'], builder: 'paketobuildpacks/builder-jammy-base',
  };
  const written = await store.updateApp('team-a', 'web', (app) => ({ ...app, spec, status }));
  t.deepEqual(kube.rejections, []);
  const read = (await store.getApp('team-a', 'web'))!;
  t.deepEqual(read.spec, spec);
  t.deepEqual(read.status, JSON.parse(JSON.stringify(status)));
  t.deepEqual(written.status, read.status);
  for (const origin of [{ kind: 'path' as const, path: '/home/me/web' }, { kind: 'container' as const, image: 'nginx:1.27' }]) {
    t.deepEqual((await store.updateApp('team-a', 'web', (app) => ({ ...app, spec: { ...app.spec, origin } }))).spec.origin, origin);
  }
});

test('an API server that cannot be reached gives a retryable kubernetes_unavailable error', async (t) => {
  const kube = await fake();
  const kc = kube.kubeConfig();
  await kube.close();
  started.splice(started.indexOf(kube), 1);
  const store = createKubeStateStore({ kc, clock: systemClock });
  const error = await t.throwsAsync(store.getApp('team-a', 'web'));
  t.true(isSlipwayError(error, 'kubernetes_unavailable'), String(error));
  t.is((error as { retry?: string }).retry, 'backoff');
});
