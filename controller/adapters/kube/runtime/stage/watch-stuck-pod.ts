/**
 * A staging pod that cannot start never fails its Job by itself: Kubernetes retries an
 * image pull or a missing Secret until `activeDeadlineSeconds` — by default a quarter of
 * an hour of waiting for nothing. This check looks at the pod now and then and names
 * the problem as soon as it is clearly not passing: at once for a bad image name or a
 * container that cannot be configured, after a grace period for pull back-offs (a
 * registry may be briefly unavailable).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeStatus } from './describe-stage-failure.ts';
import { findStagePod } from './find-stage-objects.ts';

/** Waiting reasons that do not pass by themselves. */
const FATAL = new Set(['InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError']);
/** Waiting reasons that may pass (a registry hiccup), given time. */
const PULLING = new Set(['ImagePullBackOff', 'ErrImagePull']);

/** Timing of {@link watchStuckPod}. */
export interface StuckPodTiming {
  intervalMs: number;
  /** How long an image pull may keep failing before the stage gives up. */
  pullGraceMs: number;
}

/** Resolves with why stage `stageId`'s pod cannot start, or undefined once `signal` aborts. */
export async function watchStuckPod(kc: KubeConfig, namespace: string, stageId: string, timing: StuckPodTiming, signal: AbortSignal): Promise<string | undefined> {
  const pullingSince = new Map<string, number>();
  while (!signal.aborted) {
    const pod = await findStagePod(kc, namespace, stageId).catch(() => undefined);
    for (const status of [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])]) {
      const reason = status.state?.waiting?.reason ?? '';
      if (FATAL.has(reason)) return describeStatus(status, status.name, '');
      if (!PULLING.has(reason)) {
        pullingSince.delete(status.name);
        continue;
      }
      const since = pullingSince.get(status.name) ?? Date.now();
      pullingSince.set(status.name, since);
      if (Date.now() - since >= timing.pullGraceMs) return describeStatus(status, status.name, '');
    }
    await sleep(timing.intervalMs, undefined, { signal }).catch(() => {});
  }
  return undefined;
}
