import test from 'ava';
import type { LogLine } from '../../../core/ports/runtime.ts';
import { NS, collect, jobOf, podOf, setUp, stageInput } from './stage-fixture.ts';

test('a stage whose Job completes resolves with the pushed image', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  kube.jobs.complete(NS, job.metadata.name!);
  t.deepEqual(await staging, { stageId: 's1', image: 'registry.local:5000/team/web:s1' });
});

test('a failed build is stage_failed with the Job reason, the exit code and the last lines of the build', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  const output = Array.from({ length: 40 }, (_, i) => `build line ${i + 1}`);
  kube.jobs.fail(NS, job.metadata.name!, { reason: 'BackoffLimitExceeded', logs: { init: ['unpacked 3 files'], main: [...output, 'ERROR: No buildpack groups passed detection.'] } });
  const error = await t.throwsAsync(staging);
  t.is((error as { code?: string }).code, 'stage_failed');
  t.regex(error!.message, /BackoffLimitExceeded/);
  t.regex(error!.message, /the build step exited with code \d+/);
  const log = (error as unknown as { data: { log: string[] } }).data.log;
  t.is(log.length, 30);
  t.is(log.at(-1), 'ERROR: No buildpack groups passed detection.');
});

test('a build over its deadline says so and how to raise it', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  kube.jobs.fail(NS, job.metadata.name!, { reason: 'DeadlineExceeded' });
  await t.throwsAsync(staging, { code: 'stage_failed', message: /did not finish within 20 s \(DeadlineExceeded; raise SLIPWAY_BUILD_TIMEOUT_MS\)/ } as never);
});

test('following the staging log shows unpack then build output and ends with the outcome', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  const pod = await podOf(kube, 's1');
  const seen: LogLine[] = [];
  const following = (async () => {
    for await (const line of stager.stagingLogs(NS, 's1', { follow: true })) seen.push(line);
  })();
  kube.pods.appendLog(NS, pod.metadata.name!, 'unpack', ['fetching sources/team/web/…', 'unpacked 3 files']);
  await kube.waitFor(() => seen.length >= 2);
  kube.jobs.complete(NS, job.metadata.name!, { logs: { main: ['===> DETECTING', '===> BUILDING', 'Saving registry.local:5000/team/web:s1...'] } });
  await staging;
  await following;
  t.deepEqual(seen.map((l) => [l.source ?? l.stream, l.text]), [
    ['unpack', 'fetching sources/team/web/…'],
    ['unpack', 'unpacked 3 files'],
    ['build', '===> DETECTING'],
    ['build', '===> BUILDING'],
    ['build', 'Saving registry.local:5000/team/web:s1...'],
    ['system', 'stage succeeded'],
  ]);
});

test('the log of a failed stage, read afterwards, ends with why it failed', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  staging.catch(() => {});
  const job = await jobOf(kube, 's1');
  kube.jobs.fail(NS, job.metadata.name!, { reason: 'BackoffLimitExceeded', logs: { init: ['unpacked'], main: ['npm ERR! missing script: build'] } });
  await t.throwsAsync(staging);
  const lines = await collect(stager.stagingLogs(NS, 's1', { follow: false }));
  t.deepEqual(lines.slice(0, -1).map((l) => l.text), ['unpacked', 'npm ERR! missing script: build']);
  t.is(lines.at(-1)!.stream, 'system');
  t.regex(lines.at(-1)!.text, /^stage failed: BackoffLimitExceeded/);
  const tail = await collect(stager.stagingLogs(NS, 's1', { follow: false, tail: 1 }));
  t.deepEqual(tail.map((l) => l.text).slice(0, -1), ['npm ERR! missing script: build']);
});

test('a follower that comes before the Job exists waits for it', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const following = collect(stager.stagingLogs(NS, 's1', { follow: true }));
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  kube.jobs.complete(NS, job.metadata.name!, { logs: { main: ['built'] } });
  await staging;
  t.deepEqual((await following).map((l) => l.text), ['built', 'stage succeeded']);
});

test('stage converges through dropped watches, compaction and server errors', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  kube.faults.fail({ times: 2, status: 500, match: (r) => r.method === 'PATCH' || r.path.endsWith('/persistentvolumeclaims') });
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  await kube.waitFor(() => kube.requests.some((r) => r.path.endsWith('/jobs') && r.query.watch === 'true'));
  kube.faults.fail({ times: 3, status: 500, match: (r) => r.path.includes('/jobs') });
  kube.faults.compact();
  kube.faults.dropWatches();
  await kube.waitFor(() => kube.requests.filter((r) => r.path.endsWith('/jobs') && r.query.watch === 'true').length >= 2, { timeoutMs: 10_000 });
  kube.faults.dropWatches();
  kube.jobs.complete(NS, job.metadata.name!);
  t.deepEqual(await staging, { stageId: 's1', image: 'registry.local:5000/team/web:s1' });
});

test('a staging log follower outlives server errors while it waits', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  const pod = await podOf(kube, 's1');
  // The fake's pods run with the init step already done, so its output is there from the start.
  kube.pods.appendLog(NS, pod.metadata.name!, 'unpack', ['unpacked']);
  kube.faults.fail({ times: 4, status: 500, match: (r) => r.method === 'GET' && (r.path.endsWith('/pods') || r.path.endsWith('/jobs')) && r.query.watch !== 'true' });
  const following = collect(stager.stagingLogs(NS, 's1', { follow: true }));
  await kube.waitFor(() => kube.requests.some((r) => r.path.endsWith('/log') && r.query.container === 'build'), { timeoutMs: 10_000 });
  kube.jobs.complete(NS, job.metadata.name!, { logs: { main: ['built'] } });
  await staging;
  t.deepEqual((await following).map((l) => l.text), ['unpacked', 'built', 'stage succeeded']);
});

test('following waits for each step to start: unpack while the pod initialises, then build', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  const pod = await podOf(kube, 's1');
  const name = pod.metadata.name!;
  const container = (c: string, state: object) => ({ name: c, image: 'x', imageID: '', ready: false, restartCount: 0, state });
  // As a kubelet reports it: first nothing started, then the init step running, then the build.
  const setState = (unpack: object, build: object, phase = 'Pending') => kube.seed({ ...pod, status: { phase, initContainerStatuses: [container('unpack', unpack)], containerStatuses: [container('build', build)] } });
  await setState({ waiting: { reason: 'PodInitializing' } }, { waiting: { reason: 'PodInitializing' } });
  const seen: string[] = [];
  const following = (async () => {
    for await (const line of stager.stagingLogs(NS, 's1', { follow: true })) seen.push(`${line.source ?? line.stream}: ${line.text}`);
  })();
  await kube.waitFor(() => kube.requests.filter((r) => r.path.endsWith('/pods')).length >= 3);
  await setState({ running: {} }, { waiting: { reason: 'PodInitializing' } });
  await kube.waitFor(() => kube.requests.some((r) => r.path.endsWith('/log') && r.query.container === 'unpack'));
  kube.pods.appendLog(NS, name, 'unpack', ['fetching', 'unpacked 3 files']);
  await kube.waitFor(() => seen.length === 2);
  await setState({ terminated: { exitCode: 0, reason: 'Completed' } }, { running: {} }, 'Running');
  await kube.waitFor(() => kube.requests.some((r) => r.path.endsWith('/log') && r.query.container === 'build'));
  kube.pods.appendLog(NS, name, 'build', ['===> DETECTING']);
  await kube.waitFor(() => seen.length === 3);
  kube.jobs.complete(NS, job.metadata.name!, { logs: { main: ['===> EXPORTING'] } });
  await staging;
  await following;
  t.deepEqual(seen, ['unpack: fetching', 'unpack: unpacked 3 files', 'build: ===> DETECTING', 'build: ===> EXPORTING', 'system: stage succeeded']);
});
