/**
 * An app's runtime status from its Deployment alone, as the Deployment cache holds it:
 * what the app listing shows for each of a thousand apps without a request per app.
 * Pods are not cached, so restarts and a pod's own problem (an image that cannot be
 * pulled, a crash loop) are left to the single-app show, which reads them live; the
 * Deployment's counts and its Progressing condition are enough for a list.
 */
import type { RuntimeAppStatus } from '../../../../core/ports/runtime.ts';
import { LABELS } from '../labels.ts';
import type { CachedDeployment } from './kube-cache.ts';

/** The status a list shows for the app whose Deployment is `deployment` (undefined: none). */
export function deploymentStatus(deployment: CachedDeployment | undefined): RuntimeAppStatus {
  if (!deployment) return { phase: 'absent', desired: 0, ready: 0, restarts: 0 };
  const desired = deployment.spec?.replicas ?? 1;
  const ready = Math.min(desired, deployment.status?.readyReplicas ?? 0);
  const stageId = deployment.metadata?.annotations?.[LABELS.stageId];
  const base = { desired, ready, restarts: 0, ...(stageId ? { stageId } : {}) };
  if (desired === 0) return { phase: 'stopped', ...base };
  const stuck = deployment.status?.conditions?.find((c) => c.type === 'Progressing' && c.status === 'False');
  if (stuck) return { phase: ready === 0 ? 'crashed' : 'degraded', ...base, message: stuck.message ?? stuck.reason ?? 'the rollout is stuck' };
  return { phase: ready < desired ? 'starting' : 'running', ...base };
}
