/** How an app runs, from its Deployment and pods, in the runtime port's words. */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { RuntimeAppStatus } from '../../../../../core/ports/runtime.ts';
import { LABELS } from '../../labels.ts';
import { describeProblem, podProblem, podReady, podRestarts } from './pod-problem.ts';

/**
 * The app's status: `absent` without a Deployment, `stopped` at zero replicas,
 * `crashed` when no pod is ready and one cannot start, `degraded` when some are ready
 * and one cannot start, `starting` while pods come up, `running` otherwise.
 */
export function appStatus(deployment: V1Deployment | undefined, pods: V1Pod[]): RuntimeAppStatus {
  if (!deployment) return { phase: 'absent', desired: 0, ready: 0, restarts: 0 };
  const desired = deployment.spec?.replicas ?? 1;
  const live = pods.filter((pod) => !pod.metadata?.deletionTimestamp);
  // During a rolling update a surge pod can make one more ready pod than desired.
  const ready = Math.min(desired, live.filter(podReady).length);
  const restarts = pods.reduce((sum, pod) => sum + podRestarts(pod), 0);
  const stageId = deployment.metadata?.annotations?.[LABELS.stageId];
  const problem = live.map((pod) => podProblem(pod)).find((p) => p !== undefined);
  const base = { desired, ready, restarts, ...(stageId ? { stageId } : {}) };
  if (desired === 0) return { phase: 'stopped', ...base };
  if (problem) return { phase: ready === 0 ? 'crashed' : 'degraded', ...base, message: describeProblem(problem) };
  const stuck = deployment.status?.conditions?.find((c) => c.type === 'Progressing' && c.status === 'False');
  if (stuck) return { phase: ready === 0 ? 'crashed' : 'degraded', ...base, message: stuck.message ?? stuck.reason ?? 'the rollout is stuck' };
  if (ready < desired) return { phase: 'starting', ...base };
  return { phase: 'running', ...base };
}
