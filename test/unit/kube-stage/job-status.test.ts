import test from 'ava';
import type { V1ContainerStatus, V1Job } from '@kubernetes/client-node';
import { jobOutcome } from '../../../controller/adapters/kube/runtime/stage/job-outcome.ts';
import { describeStatus } from '../../../controller/adapters/kube/runtime/stage/describe-stage-failure.ts';

const job = (conditions: { type: string; status: string; reason?: string; message?: string }[]): V1Job => ({ status: { conditions } }) as V1Job;

const outcome = test.macro({
  exec(t, conditions: Parameters<typeof job>[0], expected: ReturnType<typeof jobOutcome>) {
    t.deepEqual(jobOutcome(job(conditions)), expected);
  },
  title: (provided) => `Job outcome: ${provided}`,
});

test('running', outcome, [], undefined);
test('complete', outcome, [{ type: 'Complete', status: 'True' }], { succeeded: true });
test('failed with the backoff limit', outcome, [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }],
  { succeeded: false, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
test('failure target only: not over yet', outcome, [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded' }], undefined);
test('success criteria met only: not over yet', outcome, [{ type: 'SuccessCriteriaMet', status: 'True' }], undefined);
test('a False condition does not count', outcome, [{ type: 'Failed', status: 'False' }], undefined);

const status = (state: V1ContainerStatus['state'], image = 'paketobuildpacks/builder-jammy-full:latest'): V1ContainerStatus =>
  ({ name: 'build', image, imageID: '', ready: false, restartCount: 0, state }) as V1ContainerStatus;

const words = test.macro({
  exec(t, s: V1ContainerStatus, step: string, expected: RegExp | undefined) {
    const said = describeStatus(s, step, '4Gi');
    if (expected) t.regex(said ?? '', expected);
    else t.is(said, undefined);
  },
  title: (provided) => `failure words: ${provided}`,
});

test('exit code', words, status({ terminated: { exitCode: 51, reason: 'Error' } }), 'build', /^the build step exited with code 51$/);
test('out of memory', words, status({ terminated: { exitCode: 137, reason: 'OOMKilled' } }), 'build', /ran out of memory \(OOMKilled at the 4Gi limit; raise SLIPWAY_STAGE_MEMORY_LIMIT\)/);
test('builder image not pulled', words, status({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } }), 'build',
  /^the builder image "paketobuildpacks\/builder-jammy-full:latest" could not be pulled \(ImagePullBackOff\)$/);
test('unpack image not pulled', words, status({ waiting: { reason: 'ErrImagePull' } }, 'ghcr.io/slipway/slipway:1'), 'unpack', /^the unpack image "ghcr.io\/slipway\/slipway:1" could not be pulled/);
test('missing secret key', words, status({ waiting: { reason: 'CreateContainerConfigError', message: 'secret "slipway-s3" not found' } }), 'unpack',
  /could not start \(CreateContainerConfigError: secret "slipway-s3" not found\)/);
test('running says nothing', words, status({ running: {} }), 'build', undefined);
