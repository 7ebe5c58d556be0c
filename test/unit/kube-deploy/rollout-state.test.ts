import test from 'ava';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { rolloutState } from '../../../controller/adapters/kube/runtime/deploy/rollout-state.ts';
import { appStatus } from '../../../controller/adapters/kube/runtime/deploy/app-status.ts';

const deployment = (replicas: number, status: V1Deployment['status'], generation = 2, restartedAt?: string): V1Deployment => ({
  metadata: { name: 'web', generation, annotations: { 'slipway.dev/stage-id': 's-2' } },
  spec: {
    replicas,
    selector: { matchLabels: { 'slipway.dev/app': 'web' } },
    template: { metadata: { labels: { 'slipway.dev/stage-id': 's-2' }, ...(restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } : {}) } },
  },
  status,
});

const pod = (name: string, stageId: string, opts: { ready?: boolean; waiting?: string; restarts?: number; restartedAt?: string; deleting?: boolean } = {}): V1Pod => ({
  metadata: {
    name, labels: { 'slipway.dev/stage-id': stageId },
    ...(opts.restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': opts.restartedAt } } : {}),
    ...(opts.deleting ? { deletionTimestamp: new Date() } : {}),
  },
  status: {
    conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }],
    containerStatuses: [{
      name: 'app', image: 'i', imageID: '', ready: !!opts.ready, restartCount: opts.restarts ?? 0,
      state: opts.waiting ? { waiting: { reason: opts.waiting, message: `${opts.waiting} details` } } : { running: {} },
    }],
  },
});

const done = { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };

const rollout = test.macro({
  exec(t, d: V1Deployment, pods: V1Pod[], expected: { kind: string; reason?: string; pod?: string }) {
    const state = rolloutState(d, pods);
    t.is(state.kind as string, expected.kind);
    if (state.kind === 'failed') {
      t.is(state.reason as string | undefined, expected.reason);
      t.is(state.problem?.pod, expected.pod);
    }
  },
  title: (given) => `rollout: ${given}`,
});

test('done when every replica is updated and available', rollout, deployment(2, done), [pod('a', 's-2', { ready: true }), pod('b', 's-2', { ready: true })], { kind: 'done' });
test('waits for the controller to observe the new generation', rollout, deployment(2, { ...done, observedGeneration: 1 }), [], { kind: 'progressing' });
test('waits while old replicas remain', rollout, deployment(2, { ...done, replicas: 3 }), [], { kind: 'progressing' });
test('waits for updated replicas', rollout, deployment(2, { ...done, updatedReplicas: 1 }), [], { kind: 'progressing' });
test('waits for available replicas', rollout, deployment(2, { ...done, availableReplicas: 1 }), [], { kind: 'progressing' });
test('zero replicas is done at once', rollout, deployment(0, { observedGeneration: 2 }), [], { kind: 'done' });
test('fails on a new pod in ImagePullBackOff', rollout, deployment(1, { observedGeneration: 2, replicas: 2, updatedReplicas: 1 }),
  [pod('old', 's-1', { ready: true }), pod('new', 's-2', { waiting: 'ImagePullBackOff' })], { kind: 'failed', reason: 'ImagePullBackOff', pod: 'new' });
test('fails on a new pod in CrashLoopBackOff', rollout, deployment(1, { observedGeneration: 2, replicas: 2, updatedReplicas: 1 }),
  [pod('new', 's-2', { waiting: 'CrashLoopBackOff', restarts: 3 })], { kind: 'failed', reason: 'CrashLoopBackOff', pod: 'new' });
test('an old pod crashing does not fail the new release', rollout, deployment(1, { observedGeneration: 2, replicas: 2, updatedReplicas: 1 }),
  [pod('old', 's-1', { waiting: 'CrashLoopBackOff' }), pod('new', 's-2', {})], { kind: 'progressing' });
test('a pod from before a restart is not a new pod', rollout, deployment(1, { observedGeneration: 2, replicas: 2, updatedReplicas: 1 }, 2, 't2'),
  [pod('before', 's-2', { waiting: 'CrashLoopBackOff', restartedAt: 't1' }), pod('after', 's-2', { restartedAt: 't2' })], { kind: 'progressing' });
test('fails on ProgressDeadlineExceeded', rollout,
  deployment(1, { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] }),
  [], { kind: 'failed', reason: 'ProgressDeadlineExceeded' });

const status = test.macro({
  exec(t, d: V1Deployment | undefined, pods: V1Pod[], expected: Record<string, unknown>) {
    t.like(appStatus(d, pods), expected);
  },
  title: (given) => `status: ${given}`,
});

test('absent without a Deployment', status, undefined, [], { phase: 'absent', desired: 0, ready: 0, restarts: 0 });
test('running with every pod ready, restarts summed, stage id from the annotation', status, deployment(2, done),
  [pod('a', 's-2', { ready: true, restarts: 1 }), pod('b', 's-2', { ready: true, restarts: 2 })], { phase: 'running', desired: 2, ready: 2, restarts: 3, stageId: 's-2' });
test('starting while pods come up', status, deployment(2, {}), [pod('a', 's-2', { ready: true }), pod('b', 's-2')], { phase: 'starting', ready: 1 });
test('crashed when no pod is ready and one crash-loops', status, deployment(1, {}), [pod('a', 's-2', { waiting: 'CrashLoopBackOff', restarts: 4 })],
  { phase: 'crashed', ready: 0, restarts: 4, message: 'pod a: CrashLoopBackOff: CrashLoopBackOff details' });
test('degraded when some pods serve and one cannot pull its image', status, deployment(2, {}),
  [pod('a', 's-2', { ready: true }), pod('b', 's-2', { waiting: 'ImagePullBackOff' })], { phase: 'degraded', ready: 1 });
test('a surge pod never makes ready exceed desired', status, deployment(1, {}), [pod('a', 's-1', { ready: true }), pod('b', 's-2', { ready: true })], { phase: 'running', ready: 1 });
test('stopped at zero replicas', status, deployment(0, {}), [], { phase: 'stopped', desired: 0 });
