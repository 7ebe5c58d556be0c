/**
 * Only one stage per app runs at a time: a new stage deletes the app's older staging
 * Jobs that are still running (their pods go with them, propagation Background).
 * Finished Jobs are left for their TTL, so their logs can still be read. With the Job
 * cache synced, the app's Jobs are looked up there (issue 12): a Job another replica
 * created a moment ago and the cache has not shown yet keeps running, but its run died
 * with that replica's leadership, so nothing deploys what it builds; it only costs the
 * build.
 */
import type { KubeConfig, V1Job } from '@kubernetes/client-node';
import { LABELS } from '../../labels.ts';
import { fromKubeError, isKubeStatus } from '../../kube-errors.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { jobOutcome } from './job-outcome.ts';
import type { ResourceWatch } from '../../control/watch-resource.ts';
import type { CachedJob } from '../../cache/runtime-caches.ts';

/** Label selector of an app's staging Jobs. */
export function stageJobSelector(app: string): string {
  return `${LABELS.app}=${app},${LABELS.component}=stage`;
}

/** Deletes the running staging Jobs of `app` other than `keep`; returns the names deleted. */
export async function supersedeStages(kc: KubeConfig, namespace: string, app: string, keep: string, cached?: ResourceWatch<CachedJob>): Promise<string[]> {
  let jobs: V1Job[];
  if (cached?.synced) {
    jobs = cached.list().filter((job) => job.metadata?.namespace === namespace && job.metadata.labels?.[LABELS.app] === app && job.metadata.labels?.[LABELS.component] === 'stage') as V1Job[];
  } else try {
    jobs = (await kubeRequest<{ items: V1Job[] }>(kc, { method: 'GET', path: resourcePath({ group: 'batch', version: 'v1', namespace, plural: 'jobs' }), query: { labelSelector: stageJobSelector(app) } })).items;
  } catch (error) {
    throw fromKubeError(error, `listing the staging Jobs of ${namespace}/${app}`);
  }
  const running = jobs.filter((job) => job.metadata?.name && job.metadata.name !== keep && !job.metadata.deletionTimestamp && !jobOutcome(job));
  const deleted: string[] = [];
  for (const job of running) {
    const name = job.metadata!.name!;
    try {
      await kubeRequest(kc, { method: 'DELETE', path: resourcePath({ group: 'batch', version: 'v1', namespace, plural: 'jobs', name }), query: { propagationPolicy: 'Background' } });
      deleted.push(name);
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw fromKubeError(error, `deleting the superseded staging Job ${namespace}/${name}`);
    }
  }
  return deleted;
}
