import test from 'ava';
import type { LogLine } from '../../../core/ports/runtime.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import { NS, createApp, deployInput, eventually, setUp, type Loose } from './deploy-fixture.ts';

const appPods = (kube: Awaited<ReturnType<typeof setUp>>['kube'], app = 'web') =>
  kube.pods.list(NS, `slipway.dev/app=${app}`).filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp).map((p) => p.metadata.name!).sort();

test('status: absent, then running with the stage id, then crashed with the reason', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  t.like(await deployer.status(NS, 'web'), { phase: 'absent', desired: 0, ready: 0 });
  await deployer.deploy(deployInput('web', 's-1', { instances: 2 }));
  t.deepEqual(await deployer.status(NS, 'web'), { phase: 'running', desired: 2, ready: 2, restarts: 0, stageId: 's-1' });
  kube.deployments.fail(NS, 'web', 'CrashLoopBackOff', 'back-off 40s restarting failed container');
  const status = await eventually(async () => {
    const s = await deployer.status(NS, 'web');
    return s.phase === 'crashed' || s.phase === 'degraded' ? s : undefined;
  });
  t.regex(status.message ?? '', /CrashLoopBackOff/);
});

test('logs: tail per pod, source is the pod name', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  await deployer.deploy(deployInput('web', 's-1', { instances: 2 }));
  const pods = appPods(kube);
  t.is(pods.length, 2);
  for (const pod of pods) kube.pods.appendLog(NS, pod, 'app', [`${pod} one`, `${pod} two`, `${pod} three`]);
  const lines: LogLine[] = [];
  for await (const line of deployer.logs(NS, 'web', { follow: false, tail: 2 })) lines.push(line);
  t.deepEqual(lines.map((l) => `${l.source}|${l.text}`).sort(), pods.flatMap((p) => [`${p}|${p} two`, `${p}|${p} three`]).sort());
});

test('logs: follow keeps reading across a rollout, from the new pods too, until aborted', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  await deployer.deploy(deployInput('web', 's-1'));
  const [first] = appPods(kube);
  kube.pods.appendLog(NS, first!, 'app', ['old line']);
  const abort = new AbortController();
  const seen: LogLine[] = [];
  const reading = (async () => {
    for await (const line of deployer.logs(NS, 'web', { follow: true, tail: 10, signal: abort.signal })) seen.push(line);
  })();
  await kube.waitFor(() => seen.some((l) => l.text === 'old line'));
  kube.pods.appendLog(NS, first!, 'app', ['followed line']);
  await kube.waitFor(() => seen.some((l) => l.text === 'followed line'));
  await deployer.deploy(deployInput('web', 's-2'));
  const second = appPods(kube).find((p) => p !== first);
  t.truthy(second, 'the rollout made a new pod');
  kube.pods.appendLog(NS, second!, 'app', ['new release line']);
  const line = await kube.waitFor(() => seen.find((l) => l.text === 'new release line'), { timeoutMs: 8_000 });
  t.is(line!.source, second);
  abort.abort();
  await reading;
  t.is(seen.filter((l) => l.text === 'old line').length, 1, 'no line twice');
});

test('restart rolls the pods (kubectl rollout restart) and waits for the rollout', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  await deployer.deploy(deployInput('web', 's-1'));
  const before = appPods(kube);
  await deployer.restart(NS, 'web');
  const deployment = kube.object('apps/v1', 'Deployment', NS, 'web') as Loose;
  t.truthy(deployment.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']);
  t.notDeepEqual(appPods(kube), before, 'new pods');
  t.like(await deployer.status(NS, 'web'), { phase: 'running', stageId: 's-1' });
  // A later deploy keeps working on a restarted Deployment (the annotation belongs to an Update, not the apply).
  await deployer.deploy(deployInput('web', 's-2'));
  t.like(await deployer.status(NS, 'web'), { phase: 'running', stageId: 's-2' });
});

test('restart of an app that was never deployed says so', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  const error = await t.throwsAsync(deployer.restart(NS, 'ghost'));
  t.true(isSlipwayError(error, 'nothing_to_deploy'));
});

test('delete removes the app\'s Deployment, Service, Ingresses, env Secret, cache claim and stage Jobs, and nothing else', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  await createApp(kube, 'web');
  await deployer.deploy(deployInput('web', 's-1', { routes: ['web.example.com', 'example.com/web'] }));
  await deployer.deploy(deployInput('blog', 's-1'));
  const labels = (component: string) => ({ 'app.kubernetes.io/managed-by': 'slipway', 'app.kubernetes.io/name': 'web', 'slipway.dev/app': 'web', 'app.kubernetes.io/component': component });
  await kube.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'web-cache', namespace: NS, labels: labels('cache') }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  await kube.seed({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'web-stage-s-1', namespace: NS, labels: labels('stage') }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'build', image: 'b' }] } } } });
  await deployer.delete(NS, 'web');
  for (const [apiVersion, kind] of [['apps/v1', 'Deployment'], ['v1', 'Service'], ['networking.k8s.io/v1', 'Ingress'], ['v1', 'Secret'], ['v1', 'PersistentVolumeClaim'], ['batch/v1', 'Job']] as const) {
    const left = kube.objects(apiVersion, kind, NS).map((o) => o.metadata.name);
    t.false(left.some((name) => name === 'web' || name!.startsWith('web-')), `${kind}: ${left.join(', ')}`);
  }
  t.truthy(kube.object('apps/v1', 'Deployment', NS, 'blog'), 'other apps stay');
  t.truthy(kube.object('slipway.dev/v1alpha1', 'App', NS, 'web'), 'the App itself is the API\'s to delete');
  t.like(await deployer.status(NS, 'web'), { phase: 'absent' });
  await t.notThrowsAsync(deployer.delete(NS, 'web'), 'deleting twice is fine');
});
