/**
 * What the Deployment cache keeps of a Deployment. Its readers (the listing's
 * deploymentStatus, the controller's drift check and runtime refresh) use the
 * metadata (labels, annotations), `spec.replicas` and the status counts and
 * conditions; the pod template, the bulk of each object, is never read from the
 * cache, so a thousand apps do not keep a thousand templates alive (issue 12).
 */
import type { CachedDeployment } from './kube-cache.ts';

interface FullDeployment extends CachedDeployment {
  spec?: CachedDeployment['spec'] & Record<string, unknown>;
  status?: CachedDeployment['status'] & { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
}

/** The fields of `deployment` the cache's readers use; a new object. */
export function slimDeployment(deployment: CachedDeployment): CachedDeployment {
  const { apiVersion, kind, metadata, spec, status } = deployment as FullDeployment;
  const slim: CachedDeployment = { apiVersion, kind, metadata };
  if (spec) slim.spec = spec.replicas === undefined ? {} : { replicas: spec.replicas };
  if (status) {
    const { observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, conditions } = status;
    slim.status = dropUndefined({
      observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas,
      conditions: conditions?.map(({ type, status: state, reason, message }) => dropUndefined({ type, status: state, reason, message })),
    });
  }
  return slim;
}

function dropUndefined<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as Array<keyof T>) if (obj[key] === undefined) delete obj[key];
  return obj;
}
