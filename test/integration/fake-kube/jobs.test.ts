import test from 'ava';
import { BatchV1Api, CoreV1Api, Log, type V1Job } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { apiFailure } from '../../helpers/fake-kube/api-failure.ts';

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube(); });
test.after.always(async () => { await kube.close(); });

const job = (name: string): V1Job => ({
  metadata: { name },
  spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', initContainers: [{ name: 'fetch', image: 'busybox' }], containers: [{ name: 'build', image: 'builder' }] } } },
});

async function podOf(name: string) {
  return kube.waitFor(() => kube.pods.list('default', `job-name=${name}`).find((p) => (p.status as { phase?: string }).phase === 'Running'));
}

test('a created Job gets a running pod with the job labels, an ownerReference and container statuses', async (t) => {
  const batch = kube.kubeConfig().makeApiClient(BatchV1Api);
  const created = await batch.createNamespacedJob({ namespace: 'default', body: job('labels') });
  const pod = await podOf('labels');
  t.regex(pod.metadata.name!, /^labels-[a-z0-9]{5}$/);
  t.like(pod.metadata.labels, { 'job-name': 'labels', 'batch.kubernetes.io/job-name': 'labels', 'controller-uid': created.metadata!.uid! });
  t.like(pod.metadata.ownerReferences?.[0], { kind: 'Job', name: 'labels', uid: created.metadata!.uid!, controller: true });
  const status = pod.status as { initContainerStatuses: { name: string }[]; containerStatuses: { name: string; state: { running?: unknown } }[] };
  t.deepEqual(status.initContainerStatuses.map((s) => s.name), ['fetch']);
  t.truthy(status.containerStatuses[0]?.state.running);
});

test('jobs.complete: logs readable per container, exit 0, pod Succeeded, Job Complete', async (t) => {
  const kc = kube.kubeConfig();
  await kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: 'default', body: job('ok') });
  const pod = await podOf('ok');
  kube.jobs.complete('default', 'ok', { logs: { init: ['fetched'], main: ['step 1', 'step 2', 'done'] } });
  const read = await kc.makeApiClient(BatchV1Api).readNamespacedJob({ namespace: 'default', name: 'ok' });
  t.is(read.status?.succeeded, 1);
  t.truthy(read.status?.completionTime);
  t.deepEqual(read.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['SuccessCriteriaMet=True', 'Complete=True']);
  const core = kc.makeApiClient(CoreV1Api);
  const livePod = await core.readNamespacedPod({ namespace: 'default', name: pod.metadata.name! });
  t.is(livePod.status?.phase, 'Succeeded');
  t.is(livePod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  t.is(await core.readNamespacedPodLog({ namespace: 'default', name: pod.metadata.name!, container: 'build', tailLines: 2 }), 'step 2\ndone\n');
  t.is(await core.readNamespacedPodLog({ namespace: 'default', name: pod.metadata.name!, container: 'fetch' }), 'fetched\n');
  const stamped = await core.readNamespacedPodLog({ namespace: 'default', name: pod.metadata.name!, container: 'build', timestamps: true });
  t.regex(stamped.split('\n')[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z step 1$/);
  const noContainer = await apiFailure(core.readNamespacedPodLog({ namespace: 'default', name: pod.metadata.name!, container: 'nope' }));
  t.is(noContainer.code, 400);
});

test('jobs.fail: exit 1, pod Failed, Job FailureTarget + Failed with the reason', async (t) => {
  const batch = kube.kubeConfig().makeApiClient(BatchV1Api);
  await batch.createNamespacedJob({ namespace: 'default', body: job('bad') });
  const pod = await podOf('bad');
  kube.jobs.fail('default', 'bad', { reason: 'DeadlineExceeded', logs: { main: ['boom'] } });
  const read = await batch.readNamespacedJob({ namespace: 'default', name: 'bad' });
  t.is(read.status?.failed, 1);
  t.deepEqual(read.status?.conditions?.map((c) => `${c.type}=${c.reason}`), ['FailureTarget=DeadlineExceeded', 'Failed=DeadlineExceeded']);
  const livePod = kube.object('v1', 'Pod', 'default', pod.metadata.name!)!;
  t.is((livePod.status as { phase: string }).phase, 'Failed');
  t.deepEqual(kube.pods.list('default', 'job-name=bad').length, 1);
});

test('log follow streams appended lines and ends when the container terminates', async (t) => {
  const kc = kube.kubeConfig();
  await kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: 'default', body: job('follow') });
  const pod = await podOf('follow');
  kube.pods.appendLog('default', pod.metadata.name!, 'build', ['early']);
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  const ended = new Promise<void>((resolve) => out.on('end', resolve));
  await new Log(kc).log('default', pod.metadata.name!, 'build', out, { follow: true });
  await kube.waitFor(() => text.includes('early'));
  kube.pods.appendLog('default', pod.metadata.name!, 'build', ['live']);
  await kube.waitFor(() => text.includes('live'));
  kube.jobs.complete('default', 'follow', { logs: { main: ['last'] } });
  await ended;
  t.is(text, 'early\nlive\nlast\n');
});

test('autoJobs complete and fail finish Jobs on their own', async (t) => {
  for (const mode of ['complete', 'fail'] as const) {
    const auto = await startFakeKube({ autoJobs: mode });
    t.teardown(() => auto.close());
    await auto.kubeConfig().makeApiClient(BatchV1Api).createNamespacedJob({ namespace: 'default', body: job('auto') });
    const done = await auto.waitFor(() => (auto.object('batch/v1', 'Job', 'default', 'auto')?.status as { conditions?: { type: string }[] } | undefined)?.conditions);
    t.is(done.at(-1)?.type, mode === 'complete' ? 'Complete' : 'Failed');
  }
});

test('deleting a Job deletes its pods (ownerReferences garbage collection)', async (t) => {
  const batch = kube.kubeConfig().makeApiClient(BatchV1Api);
  await batch.createNamespacedJob({ namespace: 'default', body: job('gc') });
  await podOf('gc');
  await batch.deleteNamespacedJob({ namespace: 'default', name: 'gc', propagationPolicy: 'Background' });
  await kube.waitFor(() => kube.pods.list('default', 'job-name=gc').length === 0);
  t.pass();
});
