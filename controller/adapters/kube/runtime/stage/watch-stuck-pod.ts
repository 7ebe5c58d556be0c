/**
 * A staging pod that cannot start never fails its Job by itself: Kubernetes retries an
 * image pull, a missing Secret or scheduling until `activeDeadlineSeconds` — by default a
 * quarter of an hour of waiting for nothing. This check looks at the pod now and then and
 * names the problem as soon as it is clearly not passing: at once for a bad image name or
 * a container that cannot be configured; after a grace period for pull back-offs (a
 * registry may be briefly unavailable) and for a pod the scheduler cannot place
 * (`PodScheduled=False`, reason `Unschedulable`: no node with the requested CPU or memory,
 * a node selector nothing matches, a PersistentVolumeClaim nothing binds — a cluster
 * autoscaler may still add a node, so not at once).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { describeStatus } from './describe-stage-failure.ts';
import { findStagePod } from './find-stage-objects.ts';

/** Waiting reasons that do not pass by themselves. */
const FATAL = new Set(['InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError']);
/** Waiting reasons that may pass (a registry hiccup), given time. */
const PULLING = new Set(['ImagePullBackOff', 'ErrImagePull']);
/** Key of the scheduling problem in the since-map (container names cannot contain spaces). */
const SCHEDULING = 'pod scheduling';

/** Timing of {@link watchStuckPod}. */
export interface StuckPodTiming {
  intervalMs: number;
  /** How long an image pull may keep failing, or the pod stay unschedulable, before the stage gives up. */
  pullGraceMs: number;
}

/** Resolves with why stage `stageId`'s pod cannot start, or undefined once `signal` aborts. */
export async function watchStuckPod(kc: KubeConfig, namespace: string, stageId: string, timing: StuckPodTiming, signal: AbortSignal): Promise<string | undefined> {
  const since = new Map<string, number>();
  /** True once `key` has been seen in trouble for the whole grace period. */
  const overdue = (key: string, now: number) => {
    const first = since.get(key) ?? now;
    since.set(key, first);
    return now - first >= timing.pullGraceMs;
  };
  // The pod is only being made when the Job is: nothing can be seen stuck at once, and
  // a stage shorter than one interval lists no pods at all (issue 12).
  await sleep(timing.intervalMs, undefined, { signal }).catch(() => {});
  while (!signal.aborted) {
    const pod = await findStagePod(kc, namespace, stageId).catch(() => undefined);
    const now = Date.now();
    const unschedulable = pod ? unschedulableMessage(pod) : undefined;
    if (unschedulable === undefined) since.delete(SCHEDULING);
    else if (overdue(SCHEDULING, now)) {
      return `the staging pod could not be scheduled for ${Math.round(timing.pullGraceMs / 1000)} s (Unschedulable: ${unschedulable}); check SLIPWAY_STAGE_CPU, SLIPWAY_STAGE_MEMORY, SLIPWAY_STAGE_NODE_SELECTOR and the cache PersistentVolumeClaim (SLIPWAY_CACHE_STORAGE_CLASS)`;
    }
    for (const status of [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])]) {
      const reason = status.state?.waiting?.reason ?? '';
      if (FATAL.has(reason)) return describeStatus(status, status.name, '');
      if (!PULLING.has(reason)) {
        since.delete(status.name);
        continue;
      }
      if (overdue(status.name, now)) return describeStatus(status, status.name, '');
    }
    await sleep(timing.intervalMs, undefined, { signal }).catch(() => {});
  }
  return undefined;
}

/** The scheduler's message when it cannot place `pod` (`PodScheduled=False`, reason `Unschedulable`), else undefined. */
export function unschedulableMessage(pod: V1Pod): string | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return undefined;
  return (scheduled.message ?? 'no node fits the pod').slice(0, 500);
}
