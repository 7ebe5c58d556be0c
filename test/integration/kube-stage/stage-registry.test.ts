import test from 'ava';
import { CoreV1Api } from '@kubernetes/client-node';
import { isSlipwayError } from '../../../core/errors.ts';
import { unschedulableStatus } from '../../helpers/fake-kube/controllers/scheduling.ts';
import { NS, SYSTEM, jobOf, podOf, setUp, stageInput, type Loose } from './stage-fixture.ts';

const split = { registry: 'registry.slipway-system.svc.cluster.local:5000', registryPull: '127.0.0.1:30500' };

test('a build pushes to the push address and the stage returns the image at the pull address', async (t) => {
  const { kube, stager } = await setUp({ settings: split });
  t.teardown(() => kube.close());
  const staging = stager.stage(stageInput('s1'));
  const job = await jobOf(kube, 's1');
  t.is(job.spec.template.spec.containers[0].args.at(-1), 'registry.slipway-system.svc.cluster.local:5000/team/web:s1');
  kube.jobs.complete(NS, job.metadata.name!);
  t.deepEqual(await staging, { stageId: 's1', image: '127.0.0.1:30500/team/web:s1' });
});

test("the serving release's image is the creator's previous image, at the push address", async (t) => {
  const { kube, stager } = await setUp({ settings: split });
  t.teardown(() => kube.close());
  const args = async (stageId: string, previousImage: string | undefined): Promise<string[]> => {
    const abort = new AbortController();
    stager.stage(stageInput(stageId, { previousImage, signal: abort.signal })).catch(() => {});
    const job = await jobOf(kube, stageId);
    abort.abort();
    return job.spec.template.spec.containers[0].args;
  };
  // Recorded at the pull address (this release) or at the push address (releases made before the split).
  t.true((await args('s1', '127.0.0.1:30500/team/web:s0')).includes('-previous-image=registry.slipway-system.svc.cluster.local:5000/team/web:s0'));
  t.true((await args('s2', 'registry.slipway-system.svc.cluster.local:5000/team/web:s0')).includes('-previous-image=registry.slipway-system.svc.cluster.local:5000/team/web:s0'));
  // A prebuilt image, or another app's, has no layers of this app to reuse.
  t.false((await args('s3', 'nginx:1.27')).some((a) => a.startsWith('-previous-image')));
  t.false((await args('s4', '127.0.0.1:30500/team-api:s0')).some((a) => a.startsWith('-previous-image')));
});

test('the configured pull Secrets are copied into the app namespace and named by the staging pod', async (t) => {
  const { kube, stager } = await setUp({ settings: { imagePullSecrets: ['ghcr-pull'] } });
  t.teardown(() => kube.close());
  const data = { '.dockerconfigjson': Buffer.from('{"auths":{"ghcr.io":{"auth":"eDp5"}}}').toString('base64') };
  await kube.kubeConfig().makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: SYSTEM, body: { metadata: { name: 'ghcr-pull', namespace: SYSTEM }, type: 'kubernetes.io/dockerconfigjson', data },
  });
  const abort = new AbortController();
  stager.stage(stageInput('s1', { signal: abort.signal })).catch(() => {});
  const job = await jobOf(kube, 's1');
  abort.abort();
  t.deepEqual(job.spec.template.spec.imagePullSecrets, [{ name: 'slipway-registry' }, { name: 'ghcr-pull' }]);
  const copy = kube.object('v1', 'Secret', NS, 'ghcr-pull') as Loose;
  t.deepEqual(copy.data, data);
  t.is(copy.type, 'kubernetes.io/dockerconfigjson');
});

test('a missing pull Secret fails the stage naming it, before any Job', async (t) => {
  const { kube, stager } = await setUp({ settings: { imagePullSecrets: ['ghcr-pull'] } });
  t.teardown(() => kube.close());
  const error = await t.throwsAsync(stager.stage(stageInput('s1')));
  t.true(isSlipwayError(error, 'stage_failed'));
  t.regex(error!.message, /Secret "ghcr-pull" is missing from namespace "slipway-system".*SLIPWAY_IMAGE_PULL_SECRETS/);
  t.deepEqual(kube.objects('batch/v1', 'Job', NS), []);
});

const unschedulable = test.macro({
  async exec(t, message: string) {
    // The fixture's pending grace is 300 ms, far below the 20 s build deadline.
    const { kube, stager } = await setUp();
    t.teardown(() => kube.close());
    const staging = stager.stage(stageInput('s1'));
    staging.catch(() => {});
    const pod = await podOf(kube, 's1');
    await kube.seed({ ...pod, status: unschedulableStatus(message) } as never);
    const started = Date.now();
    const error = await t.throwsAsync(staging);
    t.true(isSlipwayError(error, 'stage_failed'), String(error));
    t.true(message.length > 0 && error!.message.includes(`(Unschedulable: ${message})`), error!.message);
    t.regex(error!.message, /^staging could not start: the staging pod could not be scheduled for 0 s/);
    t.true(Date.now() - started < 10_000, 'fails after the pending grace, not at the build deadline');
    await kube.waitFor(() => kube.objects('batch/v1', 'Job', NS).length === 0);
  },
  title: (given) => `an unschedulable staging pod fails the stage with the scheduler's reason: ${given}`,
});
test('not enough memory', unschedulable, '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
test('an unbound cache claim', unschedulable, '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');

