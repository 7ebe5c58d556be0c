import test from 'ava';
import { CoreV1Api } from '@kubernetes/client-node';
import { isSlipwayError } from '../../../core/errors.ts';
import { NS, SYSTEM, BLOBUID, REGISTRY_SECRET, S3_SECRET, jobOf, seedWaitingPod, setUp, stageInput, type Loose } from './stage-fixture.ts';

test('stage makes a validated Job with the Secrets, env and cache it mounts, owned by the App', async (t) => {
  const { kube, stager, appUid } = await setUp();
  t.teardown(() => kube.close());
  const abort = new AbortController();
  const staging = stager.stage(stageInput('s1', { signal: abort.signal }));
  staging.catch(() => {});
  const job = await jobOf(kube, 's1');
  t.deepEqual(kube.rejections, []);
  t.is(job.metadata.name, 'web-stage-s1');
  t.like(job.metadata.labels, { 'slipway.dev/app': 'web', 'slipway.dev/stage-id': 's1', 'slipway.dev/blobuid': BLOBUID, 'app.kubernetes.io/component': 'stage' });
  t.deepEqual(job.metadata.ownerReferences?.map((o) => [o.kind, o.uid]), [['App', appUid]]);
  t.is(job.spec.backoffLimit, 0);
  t.is(job.spec.activeDeadlineSeconds, 20);
  t.is(job.spec.template.spec.containers[0].args.at(-1), 'registry.local:5000/team/web:s1');

  const secret = (name: string) => kube.object('v1', 'Secret', NS, name) as Loose | undefined;
  t.deepEqual(secret('slipway-registry')?.data, REGISTRY_SECRET.data);
  t.is(secret('slipway-registry')?.type, 'kubernetes.io/dockerconfigjson');
  t.deepEqual(secret('slipway-s3')?.data, S3_SECRET.data);
  const env = secret('web-env')!;
  t.deepEqual(env.data, { NODE_ENV: Buffer.from('production').toString('base64') });
  t.deepEqual(env.metadata.ownerReferences?.map((o) => o.uid), [appUid]);
  const cache = kube.object('v1', 'PersistentVolumeClaim', NS, 'web-cache') as Loose;
  t.deepEqual(cache.spec.resources.requests, { storage: '5Gi' });
  t.deepEqual(cache.metadata.ownerReferences?.map((o) => o.uid), [appUid]);
  abort.abort(new Error('test over'));
  await t.throwsAsync(staging, { message: 'test over' });
});

test('a missing registry Secret fails the stage saying how to create it, before any Job', async (t) => {
  const { kube, stager } = await setUp({ secrets: false });
  t.teardown(() => kube.close());
  const error = await t.throwsAsync(stager.stage(stageInput('s1')));
  t.true(isSlipwayError(error, 'stage_failed'));
  t.regex(error!.message, /Secret "slipway-registry" is missing from namespace "slipway-system"/);
  t.regex(error!.message, /kubectl create secret docker-registry slipway-registry -n slipway-system --docker-server=registry\.local:5000/);
  t.deepEqual(kube.objects('batch/v1', 'Job', NS), []);
});

test('a missing S3 Secret names that one', async (t) => {
  const { kube, stager } = await setUp({ secrets: false });
  t.teardown(() => kube.close());
  await kube.kubeConfig().makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: SYSTEM, body: REGISTRY_SECRET });
  await t.throwsAsync(stager.stage(stageInput('s1')), { code: 'stage_failed', message: /Secret "slipway-s3" is missing[^]*kubectl create secret generic slipway-s3 -n slipway-system --from-literal=AWS_ACCESS_KEY_ID=/ } as never);
});

test('rotated credentials reach the app namespace on the next stage', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const abort = new AbortController();
  const first = stager.stage(stageInput('s1', { signal: abort.signal }));
  first.catch(() => {});
  await jobOf(kube, 's1');
  abort.abort(new Error('next'));
  await t.throwsAsync(first);
  const rotated = { AWS_ACCESS_KEY_ID: Buffer.from('AKIA2').toString('base64'), AWS_SECRET_ACCESS_KEY: Buffer.from('n3w').toString('base64') };
  await kube.kubeConfig().makeApiClient(CoreV1Api).replaceNamespacedSecret({ name: 'slipway-s3', namespace: SYSTEM, body: { ...S3_SECRET, data: rotated } });
  const again = new AbortController();
  const second = stager.stage(stageInput('s2', { signal: again.signal, env: {} }));
  second.catch(() => {});
  await jobOf(kube, 's2');
  t.deepEqual((kube.object('v1', 'Secret', NS, 'slipway-s3') as Loose).data, rotated);
  t.deepEqual((kube.object('v1', 'Secret', NS, 'web-env') as Loose).data ?? {}, {}, 'a removed variable leaves the env Secret');
  again.abort(new Error('done'));
  await t.throwsAsync(second);
});

test('a newer stage of the app deletes the older Job still running, and the older stage says it was superseded', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const older = stager.stage(stageInput('s1'));
  const olderResult = t.throwsAsync(older, { code: 'stage_failed', message: /superseded/ } as never);
  await jobOf(kube, 's1');
  const abort = new AbortController();
  const newer = stager.stage(stageInput('s2', { signal: abort.signal }));
  newer.catch(() => {});
  await jobOf(kube, 's2');
  await olderResult;
  t.deepEqual(kube.objects('batch/v1', 'Job', NS).map((j) => j.metadata.name), ['web-stage-s2']);
  t.deepEqual(kube.pods.list(NS, 'slipway.dev/stage-id=s1'), [], 'the older build stopped with its Job');
  const deletion = kube.requests.find((r) => r.method === 'DELETE' && r.path.endsWith('/jobs/web-stage-s1'));
  t.truthy(deletion);
  t.regex(JSON.stringify(deletion?.body ?? deletion?.query ?? ''), /Background/);
  abort.abort(new Error('done'));
  await t.throwsAsync(newer);
});

test('aborting a stage deletes its Job and rejects with the reason', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const abort = new AbortController();
  const staging = stager.stage(stageInput('s1', { signal: abort.signal }));
  staging.catch(() => {});
  await jobOf(kube, 's1');
  const reason = new Error('cancelled by the user');
  abort.abort(reason);
  t.is(await t.throwsAsync(staging), reason);
  await kube.waitFor(() => kube.objects('batch/v1', 'Job', NS).length === 0);
  t.pass();
});

test('a stage repeated with the same id (a controller restart) waits for the Job it made before', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const first = new AbortController();
  // The first attempt "dies" without cleaning up: no abort, the promise is just dropped.
  const lost = stager.stage(stageInput('s1', { signal: first.signal }));
  lost.catch(() => {});
  const job = await jobOf(kube, 's1');
  const second = new AbortController();
  const again = stager.stage(stageInput('s1', { signal: second.signal }));
  again.catch(() => {});
  await kube.waitFor(() => kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs')).length === 2);
  t.is(kube.objects('batch/v1', 'Job', NS).length, 1);
  t.is(kube.object('batch/v1', 'Job', NS, 'web-stage-s1')?.metadata.uid, job.metadata.uid);
  second.abort(new Error('done'));
  first.abort(new Error('done'));
  await t.throwsAsync(again);
});

test('the builder of the app wins over the default', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const abort = new AbortController();
  const staging = stager.stage(stageInput('s1', { builder: 'paketobuildpacks/builder-jammy-base:0.4', signal: abort.signal }));
  staging.catch(() => {});
  const job = await jobOf(kube, 's1');
  t.is(job.spec.template.spec.containers[0].image, 'paketobuildpacks/builder-jammy-base:0.4');
  abort.abort(new Error('done'));
  await t.throwsAsync(staging);
});

test('staging logs of a stage that does not exist: stage_not_found', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const read = async () => { for await (const _ of stager.stagingLogs(NS, 'nope', { follow: false })) { /* drain */ } };
  await t.throwsAsync(read(), { code: 'stage_not_found' } as never);
});

const cannotStart = test.macro({
  async exec(t, reason: string, expected: RegExp) {
    const { kube, stager } = await setUp();
    t.teardown(() => kube.close());
    const staging = stager.stage(stageInput('s1', { builder: 'example.com/no-such/builder:1' }));
    staging.catch(() => {});
    await jobOf(kube, 's1');
    await seedWaitingPod(kube, 's1', reason, 'example.com/no-such/builder:1');
    const error = await t.throwsAsync(staging);
    t.is((error as { code?: string }).code, 'stage_failed');
    t.regex(error!.message, expected);
    await kube.waitFor(() => kube.objects('batch/v1', 'Job', NS).length === 0);
  },
  title: (provided) => `a pod that cannot start fails the stage early: ${provided}`,
});

test('builder image pull keeps failing', cannotStart, 'ImagePullBackOff', /^staging could not start: the builder image "example\.com\/no-such\/builder:1" could not be pulled \(ImagePullBackOff\); the Job was deleted$/);
test('invalid image name', cannotStart, 'InvalidImageName', /could not be pulled \(InvalidImageName\)/);

test("a user's own Secret named like Slipway's is never overwritten: the stage fails saying so, before any Job", async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const mine = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slipway-s3', namespace: NS }, type: 'Opaque', data: { AWS_ACCESS_KEY_ID: Buffer.from('mine').toString('base64') } };
  await kube.kubeConfig().makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: NS, body: mine });
  await t.throwsAsync(stager.stage(stageInput('s1')), { code: 'stage_failed', message: /namespace "[a-z-]+" has a Secret "slipway-s3" that Slipway did not copy there[^]*never overwrites it/ } as never);
  t.deepEqual((kube.object('v1', 'Secret', NS, 'slipway-s3') as Loose).data, mine.data, 'the user\'s Secret is as it was');
  t.deepEqual(kube.objects('batch/v1', 'Job', NS), []);
});
