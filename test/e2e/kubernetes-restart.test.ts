/**
 * Restart safety and replicas on the fake cluster. The controller is a real server
 * process killed with SIGKILL mid-run: the deployed release must survive and the run
 * must end `failed` with a reason once a new leader takes over — never stay `staging`.
 * Two replicas in-process: a deployment asked of the standby is executed by the
 * leader, and the standby takes over when the leader goes.
 */
import test from 'ava';
import { startKubeWorld, type KubeWorld } from '../helpers/kube-server.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { emulatorCredentials } from '../helpers/s3-emulator.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { basic } from '../helpers/test-server.ts';
import { goodTree, tgzOf } from '../helpers/archives.ts';

const base = '/api/v1/namespaces/workspace/applications';
const PASSWORD = 'restart-test-password';
type Call = (method: string, path: string, body?: unknown, init?: RequestInit) => Promise<Response>;

function client(url: string, password = PASSWORD): Call {
  return (method, path, body, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', basic('admin', password));
    if (body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${url}${path}`, { ...init, method, headers, body: body === undefined ? init.body : JSON.stringify(body) });
  };
}

async function replicaProcess(t: { teardown(fn: () => Promise<void>): void }, w: KubeWorld, name: string): Promise<ServerProcess> {
  const dir = await makeTempDir('slipway-replica-');
  const kubeconfig = await w.kube.writeKubeconfig(dir.dir);
  const server = await startServerProcess({
    SLIPWAY_DATA_DIR: dir.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_RUNTIME: 'kubernetes', KUBECONFIG: kubeconfig,
    SLIPWAY_S3_ENDPOINT: w.s3.endpoint, SLIPWAY_S3_BUCKET: 'slipway-test', AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
    SLIPWAY_REGISTRY: 'registry.test', SLIPWAY_SYSTEM_DOMAIN: 'apps.test', SLIPWAY_LEASE_DURATION_MS: '2000', SLIPWAY_POD_NAME: name,
  });
  t.teardown(async () => { await server.stop('SIGKILL'); await dir.cleanup(); });
  return server;
}

async function startRun(call: Call, app: string, create = true): Promise<string> {
  if (create) {
    const created = await call('POST', base, { name: app });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
  }
  const stored = await call('POST', `${base}/${app}/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  if (stored.status !== 200) throw new Error(`store: ${stored.status} ${await stored.text()}`);
  const started = await call('POST', `${base}/${app}/deployments`, {});
  if (started.status !== 202) throw new Error(`deployments: ${started.status} ${await started.text()}`);
  return (await started.json() as { id: string }).id;
}

async function waitRun(call: Call, app: string, id: string, phases: string[], timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await (await call('GET', `${base}/${app}/deployments/${id}`)).json() as any;
    if (phases.includes(run.phase)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.phase}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const holder = (w: KubeWorld) => (w.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as any)?.spec?.holderIdentity;
const openJob = (w: KubeWorld, seen: Set<string>) => w.kube.objects('batch/v1', 'Job', 'workspace').find((j: any) => !seen.has(j.metadata.name) && !j.status?.succeeded && !j.status?.failed);

/** Creates app `web` through `call` and completes its first staging Job (adding it to `seen`); resolves with the run id. */
async function stageFirstRelease(w: KubeWorld, call: Call, seen: Set<string>): Promise<string> {
  const one = await startRun(call, 'web');
  const job = await w.kube.waitFor(() => openJob(w, seen));
  seen.add(job!.metadata!.name!);
  w.kube.jobs.complete('workspace', job!.metadata!.name!);
  return one;
}

test('a controller killed while staging loses no release, and the new leader fails the run with a reason', async (t) => {
  const w = await startKubeWorld();
  t.teardown(() => w.close());
  const first = await replicaProcess(t, w, 'first');
  const call = client(first.url);
  const seen = new Set<string>();
  const one = await stageFirstRelease(w, call, seen);
  const deployed = await waitRun(call, 'web', one, ['succeeded', 'failed']);
  t.is(deployed.phase, 'succeeded');
  const two = await startRun(call, 'web', false);
  await waitRun(call, 'web', two, ['staging']);
  const job2 = await w.kube.waitFor(() => openJob(w, seen));
  seen.add(job2!.metadata!.name!);
  await first.stop('SIGKILL');

  const second = await replicaProcess(t, w, 'second');
  const call2 = client(second.url);
  const interrupted = await waitRun(call2, 'web', two, ['failed', 'succeeded'], 15_000);
  t.like(interrupted, { phase: 'failed', error: { code: 'interrupted' } });
  t.regex(interrupted.error.message, /staging/);
  const app = await (await call2('GET', `${base}/web`)).json() as any;
  t.is(app.status.release.number, 1, 'release 1 is still the deployed release');
  t.is((w.kube.object('apps/v1', 'Deployment', 'workspace', 'web') as any).spec.template.spec.containers[0].image, deployed.image);
  t.is(holder(w), 'second');

  // The app is not stuck: the next push goes through.
  const three = await startRun(call2, 'web', false);
  const job3 = await w.kube.waitFor(() => openJob(w, seen));
  w.kube.jobs.complete('workspace', job3!.metadata!.name!);
  t.like(await waitRun(call2, 'web', three, ['succeeded', 'failed']), { phase: 'succeeded', release: 2 });
});

test('a deployment asked of the standby is executed by the leader; the standby takes over when the leader goes', async (t) => {
  const w = await startKubeWorld({ autoJobs: 'complete' });
  t.teardown(() => w.close());
  const leader = await w.server({ SLIPWAY_ADMIN_PASSWORD: PASSWORD });
  await w.kube.waitFor(() => holder(w) === 'replica-1');
  const standby = await w.server({ SLIPWAY_ADMIN_PASSWORD: PASSWORD });
  const viaStandby = client(standby.url);
  const id = await startRun(viaStandby, 'web');
  const run = await waitRun(viaStandby, 'web', id, ['succeeded', 'failed']);
  t.like(run, { phase: 'succeeded', release: 1 });
  t.is(holder(w), 'replica-1', 'the leader did the work');

  await leader.close();
  await w.kube.waitFor(() => holder(w) === 'replica-2', { timeoutMs: 5_000 });
  const again = await startRun(viaStandby, 'web', false);
  t.like(await waitRun(viaStandby, 'web', again, ['succeeded', 'failed']), { phase: 'succeeded', release: 2 });
});

test('a controller killed mid-rollout: the new leader puts the recorded release back on the Deployment', async (t) => {
  const w = await startKubeWorld({ autoJobs: 'manual', autoRollout: false });
  t.teardown(() => w.close());
  const first = await replicaProcess(t, w, 'first');
  const call = client(first.url);
  const seen = new Set<string>();
  const one = await stageFirstRelease(w, call, seen);
  await waitRun(call, 'web', one, ['deploying']);
  await w.kube.waitFor(() => w.kube.object('apps/v1', 'Deployment', 'workspace', 'web'));
  w.kube.deployments.rollout('workspace', 'web');
  const deployed = await waitRun(call, 'web', one, ['succeeded', 'failed']);
  t.is(deployed.phase, 'succeeded');
  const image = (d: any) => d.spec.template.spec.containers[0].image;

  // Release 2 gets as far as changing the Deployment's image; its rollout never completes.
  const two = await startRun(call, 'web', false);
  const job2 = await w.kube.waitFor(() => openJob(w, seen));
  seen.add(job2!.metadata!.name!);
  w.kube.jobs.complete('workspace', job2!.metadata!.name!);
  await waitRun(call, 'web', two, ['deploying']);
  await w.kube.waitFor(() => image(w.kube.object('apps/v1', 'Deployment', 'workspace', 'web')) !== deployed.image);
  await first.stop('SIGKILL');

  const second = await replicaProcess(t, w, 'second');
  const call2 = client(second.url);
  t.like(await waitRun(call2, 'web', two, ['failed', 'succeeded'], 15_000), { phase: 'failed', error: { code: 'interrupted' } });
  // Its rollout completes once the recorded release is back on the Deployment.
  await w.kube.waitFor(() => image(w.kube.object('apps/v1', 'Deployment', 'workspace', 'web')) === deployed.image, { timeoutMs: 10_000 });
  w.kube.deployments.rollout('workspace', 'web');
  const app = await (await call2('GET', `${base}/web`)).json() as any;
  t.is(app.status.release.number, 1, 'release 1 is still the recorded release');
  t.is(image(w.kube.object('apps/v1', 'Deployment', 'workspace', 'web')), deployed.image, 'and the one the cluster runs');
});

test('a Deployment changed behind Slipway\'s back returns to the release its App records', async (t) => {
  const w = await startKubeWorld({ autoJobs: 'complete' });
  t.teardown(() => w.close());
  const server = await w.server({ SLIPWAY_ADMIN_PASSWORD: PASSWORD });
  await w.kube.waitFor(() => holder(w) === 'replica-1');
  const call = client(server.url);
  const run = await waitRun(call, 'web', await startRun(call, 'web'), ['succeeded', 'failed']);
  t.is(run.phase, 'succeeded');
  const image = () => (w.kube.object('apps/v1', 'Deployment', 'workspace', 'web') as any).spec.template.spec.containers[0].image;
  t.is(image(), run.image);

  // As a leader dying mid-rollout leaves it, or `kubectl set image` by hand.
  const edited = structuredClone(w.kube.object('apps/v1', 'Deployment', 'workspace', 'web')) as any;
  edited.spec.template.spec.containers[0].image = 'registry.test/somebody-else:latest';
  edited.metadata.annotations['slipway.dev/stage-id'] = '20990101000000zzzzzz';
  await w.kube.seed(edited);
  await w.kube.waitFor(() => image() === run.image, { timeoutMs: 10_000 });
  const app = await (await call('GET', `${base}/web`)).json() as any;
  t.is(app.status.release.number, 1, 'no new release: the recorded one was put back');
});
