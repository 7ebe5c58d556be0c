/**
 * Where a Deployment's rollout stands, from the Deployment and its pods — the checks
 * `kubectl rollout status` makes, plus the pod waiting reasons that mean it will never
 * finish (so a deploy fails in seconds instead of at the deadline).
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { isCurrentPod, podProblem, templateMark, type PodProblem } from './pod-problem.ts';

/** The outcome of one look at a rollout. */
export type RolloutState =
  | { kind: 'done' }
  | { kind: 'failed'; reason: string; message: string; problem?: PodProblem }
  | { kind: 'progressing'; detail: string };

/** Where the rollout of `deployment` stands, given the pods its selector matches; `tolerate` excuses pod problems that may still pass. */
export function rolloutState(deployment: V1Deployment, pods: V1Pod[], tolerate?: (problem: PodProblem) => boolean): RolloutState {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) return { kind: 'progressing', detail: 'waiting for the Deployment controller to see the new spec' };

  const mark = templateMark(deployment.spec?.template.metadata);
  for (const pod of pods) {
    if (!isCurrentPod(pod, mark)) continue;
    const problem = podProblem(pod, tolerate);
    if (problem) return { kind: 'failed', reason: problem.reason, message: problem.message ?? problem.reason, problem };
  }

  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return { kind: 'failed', reason: 'ProgressDeadlineExceeded', message: progressing.message ?? 'the rollout made no progress before its deadline' };
  }

  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) return { kind: 'progressing', detail: `${updated} of ${desired} new pods created` };
  if (total > updated) return { kind: 'progressing', detail: `${total - updated} old pods still terminating` };
  if (available < updated) return { kind: 'progressing', detail: `${available} of ${updated} new pods available` };
  return { kind: 'done' };
}
