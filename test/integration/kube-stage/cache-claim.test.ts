import test from 'ava';
import { ensureCacheClaim } from '../../../controller/adapters/kube/runtime/stage/ensure-cache-claim.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';
import { NS, jobOf, setUp, stageInput } from './stage-fixture.ts';

const claimRequests = (kube: Awaited<ReturnType<typeof startFakeKube>>) =>
  kube.requests.filter((r) => r.path.includes('/persistentvolumeclaims')).map((r) => `${r.method} ${r.path.replace('/api/v1/namespaces/default/', '')}`);

test('the cache claim is created with one request, and an existing one costs one refused create', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const kc = kube.kubeConfig();
  t.is(await ensureCacheClaim(kc, 'default', 'web', '1Gi'), 'web-cache');
  t.truthy(kube.object('v1', 'PersistentVolumeClaim', 'default', 'web-cache'));
  t.deepEqual(claimRequests(kube), ['POST persistentvolumeclaims']);
  t.is(await ensureCacheClaim(kc, 'default', 'web', '1Gi'), 'web-cache');
  t.deepEqual(claimRequests(kube), ['POST persistentvolumeclaims', 'POST persistentvolumeclaims'], 'AlreadyExists means there: no read');
});

test('a create refused for another reason (a quota on claims) still finds the existing claim; a missing one fails', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const kc = kube.kubeConfig();
  await ensureCacheClaim(kc, 'default', 'web', '1Gi');
  kube.faults.fail({ times: 2, status: 403, match: (r) => r.method === 'POST' && r.path.endsWith('/persistentvolumeclaims') });
  t.is(await ensureCacheClaim(kc, 'default', 'web', '1Gi'), 'web-cache');
  await t.throwsAsync(ensureCacheClaim(kc, 'default', 'api', '1Gi'), { message: /creating PersistentVolumeClaim default\/api-cache/ });
});

test('the stager asks for an app\'s claim once per process; after a failed stage or the app\'s deletion it asks again', async (t) => {
  const { kube, stager } = await setUp();
  t.teardown(() => kube.close());
  const posts = () => kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/persistentvolumeclaims')).length;
  /** Stages `stageId`, ending its Job as told. */
  const stage = async (stageId: string, end: 'complete' | 'fail') => {
    const staged = stager.stage(stageInput(stageId));
    const job = await jobOf(kube, stageId);
    kube.jobs[end](NS, job.metadata.name!);
    return staged.then(() => 'staged', () => 'failed');
  };
  t.is(await stage('s-1', 'complete'), 'staged');
  t.is(await stage('s-2', 'complete'), 'staged');
  t.is(posts(), 1, 'known to exist after the first stage');
  // Someone deleted the claim: the stage that then fails makes the next one ask again.
  await kube.kubeConfig().makeApiClient(CoreV1Api).deleteNamespacedPersistentVolumeClaim({ namespace: NS, name: 'web-cache' });
  t.is(await stage('s-3', 'fail'), 'failed');
  t.is(posts(), 1);
  t.is(await stage('s-4', 'complete'), 'staged');
  t.is(posts(), 2);
  t.truthy(kube.object('v1', 'PersistentVolumeClaim', NS, 'web-cache'), 'the claim is back');
  stager.forget(NS, 'web');
  t.is(await stage('s-5', 'complete'), 'staged');
  t.is(posts(), 3);
});
