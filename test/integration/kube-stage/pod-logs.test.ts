import test from 'ava';
import { isPodLogUnavailable, streamPodLogs } from '../../../controller/adapters/kube/runtime/pod-logs.ts';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { collect } from './stage-fixture.ts';

type State = { running?: object; waiting?: { reason: string }; terminated?: { exitCode: number } };

/** Stores pod `p` in `default` with one container `c` in `state`, as a kubelet would report it. */
async function seedPod(kube: FakeKube, state: State): Promise<void> {
  await kube.seed({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: state.terminated ? 'Succeeded' : state.running ? 'Running' : 'Pending', containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: Boolean(state.running), restartCount: 0, state }] },
  } as never);
}

test('reads what a container wrote, or its last lines', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await seedPod(kube, { running: {} });
  kube.pods.appendLog('default', 'p', 'c', ['one', 'two', 'three']);
  const kc = kube.kubeConfig();
  const all = await collect(streamPodLogs(kc, 'default', 'p', 'c', { follow: false }));
  t.deepEqual(all.map((l) => [l.text, l.stream, l.source]), [['one', 'stdout', 'c'], ['two', 'stdout', 'c'], ['three', 'stdout', 'c']]);
  t.false(Number.isNaN(Date.parse(all[0]!.time)));
  const last = await collect(streamPodLogs(kc, 'default', 'p', 'c', { follow: false, tail: 2, source: 'build' }));
  t.deepEqual(last.map((l) => [l.text, l.source]), [['two', 'build'], ['three', 'build']]);
});

test('follow sees new lines and ends when the container terminates', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await seedPod(kube, { running: {} });
  kube.pods.appendLog('default', 'p', 'c', ['before']);
  const seen: string[] = [];
  const reading = (async () => {
    for await (const line of streamPodLogs(kube.kubeConfig(), 'default', 'p', 'c', { follow: true })) seen.push(line.text);
  })();
  await kube.waitFor(() => seen.length === 1);
  kube.pods.appendLog('default', 'p', 'c', ['after 1', 'after 2']);
  await kube.waitFor(() => seen.length === 3);
  await seedPod(kube, { terminated: { exitCode: 0 } });
  await reading;
  t.deepEqual(seen, ['before', 'after 1', 'after 2']);
});

test('follow with tail 0 sees only new lines', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await seedPod(kube, { running: {} });
  kube.pods.appendLog('default', 'p', 'c', ['old']);
  const seen: string[] = [];
  const reading = (async () => {
    for await (const line of streamPodLogs(kube.kubeConfig(), 'default', 'p', 'c', { follow: true, tail: 0 })) seen.push(line.text);
  })();
  await kube.waitFor(() => kube.requests.some((r) => r.path.endsWith('/pods/p/log')));
  kube.pods.appendLog('default', 'p', 'c', ['new']);
  await kube.waitFor(() => seen.length === 1);
  await seedPod(kube, { terminated: { exitCode: 0 } });
  await reading;
  t.deepEqual(seen, ['new']);
});

test('aborting ends a follow', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await seedPod(kube, { running: {} });
  kube.pods.appendLog('default', 'p', 'c', ['line']);
  const abort = new AbortController();
  const seen: string[] = [];
  const reading = (async () => {
    for await (const line of streamPodLogs(kube.kubeConfig(), 'default', 'p', 'c', { follow: true, signal: abort.signal })) seen.push(line.text);
  })();
  await kube.waitFor(() => seen.length === 1);
  abort.abort();
  await reading;
  t.deepEqual(seen, ['line']);
});

test('a container still waiting to start is "not available yet", with the reason', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await seedPod(kube, { waiting: { reason: 'PodInitializing' } });
  const error = await t.throwsAsync(collect(streamPodLogs(kube.kubeConfig(), 'default', 'p', 'c', { follow: true })));
  t.true(isPodLogUnavailable(error));
  t.regex(error!.message, /PodInitializing/);
  t.is((error as { data?: { httpStatus?: number } }).data?.httpStatus, 400);
});

test('a pod that does not exist is "not available yet" too', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const error = await t.throwsAsync(collect(streamPodLogs(kube.kubeConfig(), 'default', 'nope', 'c', { follow: false })));
  t.true(isPodLogUnavailable(error));
  t.is((error as { data?: { httpStatus?: number } }).data?.httpStatus, 404);
});

test('a server error is a Kubernetes error, not "not available"', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await seedPod(kube, { running: {} });
  kube.faults.fail({ times: 1, status: 500, match: (r) => r.path.endsWith('/log') });
  const error = await t.throwsAsync(collect(streamPodLogs(kube.kubeConfig(), 'default', 'p', 'c', { follow: false })));
  t.false(isPodLogUnavailable(error));
  t.is((error as { code?: string }).code, 'kubernetes_error');
});
