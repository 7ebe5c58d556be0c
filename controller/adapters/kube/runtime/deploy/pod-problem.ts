/**
 * Reading why a pod does not run from its container statuses: the waiting reasons that
 * do not fix themselves while a rollout waits (a wrong image, a crashing program, a
 * missing Secret), as opposed to ContainerCreating or PodInitializing.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { LABELS } from '../../labels.ts';
import { RESTARTED_AT } from './build-deployment.ts';

/** Waiting reasons that mean the release cannot start without someone changing something. */
export const FAILING_REASONS: ReadonlySet<string> = new Set([
  'ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'CreateContainerConfigError', 'InvalidImageName',
  'CreateContainerError', 'RunContainerError', 'ErrImageNeverPull',
]);

/** Waiting reasons of an image pull that may still succeed (a registry restarting, a NodePort not yet open). */
export const PULL_REASONS: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff']);

/** Why a pod's container cannot run. */
export interface PodProblem {
  pod: string;
  container: string;
  reason: string;
  message?: string;
  /** The container's image, as its status reports it. */
  image?: string;
}

/** The first container of `pod` waiting for a {@link FAILING_REASONS} reason that `tolerate` does not excuse, if any. */
export function podProblem(pod: V1Pod, tolerate: (problem: PodProblem) => boolean = () => false): PodProblem | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && FAILING_REASONS.has(waiting.reason)) {
      const problem: PodProblem = {
        pod: pod.metadata?.name ?? '', container: status.name, reason: waiting.reason,
        ...(waiting.message ? { message: waiting.message } : {}), ...(status.image ? { image: status.image } : {}),
      };
      if (!tolerate(problem)) return problem;
    }
  }
  return undefined;
}

/** `pod: Reason: message` (and the image, for a pull), for messages a person reads. */
export function describeProblem(problem: PodProblem): string {
  const image = problem.image && PULL_REASONS.has(problem.reason) && !problem.message?.includes(problem.image) ? ` (image "${problem.image}")` : '';
  return `pod ${problem.pod}: ${problem.reason}${problem.message ? `: ${problem.message}` : ''}${image}`;
}

/** Container restarts of a pod, summed. */
export function podRestarts(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
}

/** True when the pod's Ready condition is True. */
export function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The part of a pod template that tells one rollout's pods from another's. */
export interface TemplateMark {
  stageId?: string;
  restartedAt?: string;
}

/** The {@link TemplateMark} of a pod (or of a pod template's metadata). */
export function templateMark(meta: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): TemplateMark {
  return { stageId: meta?.labels?.[LABELS.stageId], restartedAt: meta?.annotations?.[RESTARTED_AT] };
}

/** True when a pod was made from the current template (it is one of the rollout's new pods) and is not going away. */
export function isCurrentPod(pod: V1Pod, mark: TemplateMark): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const own = templateMark(pod.metadata);
  return own.stageId === mark.stageId && own.restartedAt === mark.restartedAt;
}
