/**
 * Finds a stage's Job and pod by the `slipway.dev/stage-id` label — the stage id is
 * all the staging-logs route knows (not the app, so not the Job's name).
 */
import type { KubeConfig, V1Job, V1Pod } from '@kubernetes/client-node';
import { LABELS } from '../../labels.ts';
import { fromKubeError } from '../../kube-errors.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';

/** Label selector of what belongs to stage `stageId`. */
export function stageSelector(stageId: string): string {
  return `${LABELS.stageId}=${stageId},${LABELS.component}=stage`;
}

/** Newest first, by creation time. */
const newest = <T extends { metadata?: { creationTimestamp?: Date | string } }>(items: T[]): T | undefined => {
  const time = (item: T) => new Date(item.metadata?.creationTimestamp ?? 0).getTime() || 0;
  return [...items].sort((a, b) => time(b) - time(a))[0];
};

/** The stage's Job, or undefined. */
export async function findStageJob(kc: KubeConfig, namespace: string, stageId: string): Promise<V1Job | undefined> {
  try {
    const list = await kubeRequest<{ items: V1Job[] }>(kc, { method: 'GET', path: resourcePath({ group: 'batch', version: 'v1', namespace, plural: 'jobs' }), query: { labelSelector: stageSelector(stageId) } });
    return newest(list.items);
  } catch (error) {
    throw fromKubeError(error, `looking up stage ${stageId} in namespace ${namespace}`);
  }
}

/** The stage's pod (the newest, should there be more than one), or undefined. */
export async function findStagePod(kc: KubeConfig, namespace: string, stageId: string): Promise<V1Pod | undefined> {
  try {
    const list = await kubeRequest<{ items: V1Pod[] }>(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'pods' }), query: { labelSelector: stageSelector(stageId) } });
    return newest(list.items);
  } catch (error) {
    throw fromKubeError(error, `looking up the pod of stage ${stageId} in namespace ${namespace}`);
  }
}
