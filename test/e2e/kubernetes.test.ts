/**
 * Slipway as a Kubernetes controller, end to end over real sockets: the server with
 * `SLIPWAY_RUNTIME=kubernetes` on the fake API server (every object schema-checked) and
 * an S3 emulator. Pushes through the API, Apps applied as a GitOps tool would, restarts
 * and a second replica.
 */
import test from 'ava';
import { startKubeWorld, type KubeWorld } from '../helpers/kube-server.ts';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startGitServer } from '../helpers/git-server.ts';
import { createBareRepo, createWorkRepo } from '../helpers/git-repo.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { goodTree, tgzOf } from '../helpers/archives.ts';

const base = '/api/v1/namespaces/workspace/applications';

async function world(t: { teardown(fn: () => Promise<void>): void }, options: Parameters<typeof startKubeWorld>[0] = {}): Promise<KubeWorld> {
  const w = await startKubeWorld(options);
  t.teardown(() => w.close());
  return w;
}

async function push(server: TestServer, app: string): Promise<string> {
  const created = await server.request('POST', base, { name: app });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
  const stored = await server.request('POST', `${base}/${app}/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  if (stored.status !== 200) throw new Error(`store: ${stored.status} ${await stored.text()}`);
  const started = await server.request('POST', `${base}/${app}/deployments`, {});
  if (started.status !== 202) throw new Error(`deployments: ${started.status} ${await started.text()}`);
  return (await started.json() as { id: string }).id;
}

async function runOf(server: TestServer, app: string, id: string): Promise<any> {
  return (await server.request('GET', `${base}/${app}/deployments/${id}`)).json();
}

async function waitRun(server: TestServer, app: string, id: string, phases = ['succeeded', 'failed'], timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await runOf(server, app, id);
    if (phases.includes(run.phase)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.phase}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const jobsOf = (w: KubeWorld, ns = 'workspace') => w.kube.objects('batch/v1', 'Job', ns);

test('a push stages in a Job, deploys a Deployment, Service and Ingress, and the App status says Ready', async (t) => {
  const w = await world(t);
  const server = await w.server();
  const id = await push(server, 'web');
  const job = await w.kube.waitFor(() => jobsOf(w)[0]);
  t.is((job as any).spec.template.spec.initContainers[0].args[0], 'unpack');
  await waitRun(server, 'web', id, ['staging']);
  w.kube.jobs.complete('workspace', job.metadata!.name!, { logs: { main: ['===> BUILDING', 'done'] } });
  const run = await waitRun(server, 'web', id);
  t.like(run, { phase: 'succeeded', release: 1, routes: ['web.apps.test'], urls: ['http://web.apps.test/'] });
  t.regex(run.image, /^registry\.test\/workspace\/web:/);
  const deployment = w.kube.object('apps/v1', 'Deployment', 'workspace', 'web') as any;
  t.is(deployment.spec.template.spec.containers[0].image, run.image);
  t.truthy(w.kube.object('v1', 'Service', 'workspace', 'web'));
  t.is(w.kube.objects('networking.k8s.io/v1', 'Ingress', 'workspace').length, 1);
  const resource = w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'web') as any;
  t.like(resource.status, { release: { number: 1 } });
  const ready = resource.status.conditions.find((c: any) => c.type === 'Ready');
  t.is(ready.status, 'True');
  t.deepEqual(w.kube.rejections, [], 'every object Slipway sent passed the schemas');
});

/** Waits for a staging Job not finished yet and finishes it. */
async function finishNextJob(w: KubeWorld, outcome: 'complete' | 'fail', seen: Set<string>, logs: string[] = []): Promise<string> {
  const job = await w.kube.waitFor(() => jobsOf(w).find((j: any) => !seen.has(j.metadata.name) && !j.status?.succeeded && !j.status?.failed));
  const name = job!.metadata!.name!;
  seen.add(name);
  if (outcome === 'complete') w.kube.jobs.complete('workspace', name, { logs: { main: logs } });
  else w.kube.jobs.fail('workspace', name, { logs: { main: logs } });
  return name;
}

test('a failed build fails the run with its reason and keeps the release that serves', async (t) => {
  const w = await world(t);
  const server = await w.server();
  const seen = new Set<string>();
  const first = await push(server, 'web');
  await finishNextJob(w, 'complete', seen);
  t.is((await waitRun(server, 'web', first)).phase, 'succeeded');
  const second = (await (await server.request('POST', `${base}/web/deployments`, {})).json() as { id: string }).id;
  await finishNextJob(w, 'fail', seen, ['ERROR: No buildpack groups passed detection.']);
  const failed = await waitRun(server, 'web', second);
  t.like(failed, { phase: 'failed', error: { code: 'stage_failed' } });
  t.regex(failed.error.message, /BackoffLimitExceeded/);
  const app = await (await server.request('GET', `${base}/web`)).json() as any;
  t.is(app.status.release.number, 1, 'release 1 still serves');
  const staged = app.status.conditions.find((c: any) => c.type === 'Staged');
  t.like(staged, { status: 'False', reason: 'StageFailed' });
  t.is((w.kube.object('apps/v1', 'Deployment', 'workspace', 'web') as any).spec.template.spec.containers[0].image, app.status.release.image);
});

test('an App applied with a container image (GitOps) is deployed without a build, and an edit redeploys it', async (t) => {
  const w = await world(t);
  await w.server();
  const api = w.kube.kubeConfig().makeApiClient(CustomObjectsApi);
  await w.kube.waitFor(() => w.kube.object('v1', 'Namespace', undefined, 'workspace'));
  await api.createNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace: 'workspace', plural: 'apps', body: {
    apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name: 'nginx' }, spec: { origin: { kind: 'container', image: 'nginx:1.27' }, instances: 2 },
  } });
  const deployment = await w.kube.waitFor(() => w.kube.object('apps/v1', 'Deployment', 'workspace', 'nginx') as any);
  t.is(deployment.spec.template.spec.containers[0].image, 'nginx:1.27');
  t.is(deployment.spec.replicas, 2);
  t.is(jobsOf(w).length, 0, 'nothing was built');
  const ready = await w.kube.waitFor(() => {
    const app = w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'nginx') as any;
    return app?.status?.observedGeneration === 1 && app.status.conditions?.find((c: any) => c.type === 'Ready' && c.status === 'True') && app;
  });
  t.is(ready.status.release.number, 1);
  await api.patchNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace: 'workspace', plural: 'apps', name: 'nginx', body: [{ op: 'replace', path: '/spec/instances', value: 3 }] });
  const scaled = await w.kube.waitFor(() => (w.kube.object('apps/v1', 'Deployment', 'workspace', 'nginx') as any)?.spec.replicas === 3);
  t.true(scaled);
  t.is(jobsOf(w).length, 0, 'an edit of instances does not build');
  t.deepEqual(w.kube.rejections, []);
});

test('an App applied with a git origin is imported, staged in a Job and deployed', async (t) => {
  const w = await world(t, { autoJobs: 'complete' });
  const repos = await makeTempDir('slipway-kube-repos-');
  await createBareRepo(repos.dir, 'hello');
  const git = await startGitServer({ root: repos.dir });
  const work = await createWorkRepo();
  t.teardown(async () => { await git.close(); await work.cleanup(); await repos.cleanup(); });
  await work.write({ 'package.json': '{"name":"hello","scripts":{"start":"node server.js"}}', 'server.js': 'console.log(1)' });
  const head = await work.commit('first');
  await work.push(`${git.url}/hello.git`, ['main']);
  const repo = { url: `${git.url}/hello.git`, head };
  await w.server({ SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1' });
  const api = w.kube.kubeConfig().makeApiClient(CustomObjectsApi);
  await w.kube.waitFor(() => w.kube.object('v1', 'Namespace', undefined, 'workspace'));
  await api.createNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace: 'workspace', plural: 'apps', body: {
    apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name: 'hello' }, spec: { origin: { kind: 'git', url: repo.url, revision: 'main' } },
  } });
  const app = await w.kube.waitFor(() => {
    const found = w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'hello') as any;
    return found?.status?.release && found;
  }, { timeoutMs: 20_000 });
  t.is(app.status.release.revision, repo.head);
  t.is(jobsOf(w).length, 1);
  t.truthy(w.kube.object('apps/v1', 'Deployment', 'workspace', 'hello'));
});

test('when a deployed app starts crashing, the App turns Ready=False with the reason, without any push', async (t) => {
  const w = await world(t, { autoJobs: 'complete' });
  const server = await w.server();
  t.is((await waitRun(server, 'web', await push(server, 'web'))).phase, 'succeeded');
  w.kube.deployments.fail('workspace', 'web', 'CrashLoopBackOff', 'back-off 40s restarting failed container');
  const ready = await w.kube.waitFor(() => {
    const app = w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'web') as any;
    const condition = app?.status?.conditions?.find((c: any) => c.type === 'Ready');
    return condition?.status === 'False' ? { condition, runtime: app.status.runtime } : undefined;
  });
  t.regex(ready.condition.message, /CrashLoopBackOff/);
  t.like(ready.runtime, { desired: 1 });
  t.not(ready.runtime.phase, 'running');
});

test('kubectl describe tells the story: one Event on the App per run, a Warning for a failed build', async (t) => {
  const w = await world(t);
  const server = await w.server();
  const first = await push(server, 'told');
  const job1 = await w.kube.waitFor(() => jobsOf(w)[0]);
  await waitRun(server, 'told', first, ['staging']);
  w.kube.jobs.complete('workspace', job1.metadata!.name!);
  t.is((await waitRun(server, 'told', first)).phase, 'succeeded');
  const started = await server.request('POST', `${base}/told/deployments`, {});
  const second = (await started.json() as { id: string }).id;
  const job2 = await w.kube.waitFor(() => jobsOf(w).find((j) => j.metadata!.name !== job1.metadata!.name));
  await waitRun(server, 'told', second, ['staging']);
  w.kube.jobs.fail('workspace', job2.metadata!.name!, { logs: { main: ['ERROR: no buildpack groups passed detection'] } });
  t.is((await waitRun(server, 'told', second)).phase, 'failed');

  const uid = (w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'told') as any).metadata.uid;
  const events = await w.kube.waitFor(() => {
    const list = w.kube.objects('v1', 'Event', 'workspace').filter((e: any) => e.involvedObject?.kind === 'App' && e.involvedObject.name === 'told');
    return list.some((e: any) => e.reason === 'Failed') ? list : undefined;
  });
  t.true(events.every((e: any) => e.involvedObject.uid === uid && e.involvedObject.apiVersion === 'slipway.dev/v1alpha1'), 'kubectl describe finds them by the App\'s uid');
  // Event times have one-second resolution, so two runs in one second cannot be ordered by them: compare the set.
  const story = (events as any[]).map((e) => `${e.type}/${e.reason}`).sort();
  t.deepEqual(story, ['Normal/Deployed', 'Warning/Failed'], 'one Event per run: its outcome');
  const deployed = (events as any[]).find((e) => e.reason === 'Deployed');
  t.regex(deployed.message, /release 1 serves \(stage /);
  const failed = (events as any[]).find((e) => e.reason === 'Failed');
  t.regex(failed.message, /failed \(stage_failed\)/);
  t.deepEqual(w.kube.rejections, [], 'every Event passed the schemas');
});
