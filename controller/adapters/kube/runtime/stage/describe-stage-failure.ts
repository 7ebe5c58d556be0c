/**
 * Why a staging Job failed, in words a developer can act on: the Job's reason
 * (BackoffLimitExceeded, DeadlineExceeded) plus what its pod says — a step's exit
 * code, OOMKilled, an image that cannot be pulled — and the failing step's last lines.
 */
import type { KubeConfig, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { JobOutcome } from './job-outcome.ts';
import { findStagePod } from './find-stage-objects.ts';
import { streamPodLogs } from '../pod-logs.ts';

/** Lines of the failing step's output kept in the error. */
export const FAILURE_LOG_LINES = 30;

/** What the failure says. */
export interface StageFailure {
  message: string;
  log: string[];
}

/** Describes a failed stage from its Job's outcome and its pod (when it still exists). */
export async function describeStageFailure(kc: KubeConfig, namespace: string, stageId: string, outcome: JobOutcome & { succeeded: false }, limits: { memory: string; timeoutMs: number }): Promise<StageFailure> {
  const pod = await findStagePod(kc, namespace, stageId).catch(() => undefined);
  const step = pod ? failingStep(pod) : undefined;
  const detail = step ? describeStatus(step.status, step.name, limits.memory) : undefined;
  const head = outcome.reason === 'DeadlineExceeded'
    ? `staging did not finish within ${Math.round(limits.timeoutMs / 1000)} s (DeadlineExceeded; raise SLIPWAY_BUILD_TIMEOUT_MS)`
    : `staging failed (${outcome.reason})`;
  const message = detail ? `${head}: ${detail}` : `${head}${outcome.message ? `: ${outcome.message}` : ''}`;
  const log: string[] = [];
  if (pod?.metadata?.name && step) {
    try {
      for await (const line of streamPodLogs(kc, namespace, pod.metadata.name, step.name, { follow: false, tail: FAILURE_LOG_LINES })) log.push(line.text);
    } catch {
      // The pod may be gone or its step never started: the message alone has to do.
    }
  }
  return { message, log };
}

/** The step of a stage pod that failed or is stuck: the first one not terminated with exit code 0. */
export function failingStep(pod: V1Pod): { name: string; status: V1ContainerStatus } | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const found = statuses.find((s) => !(s.state?.terminated && s.state.terminated.exitCode === 0));
  return found ? { name: found.name, status: found } : undefined;
}

/** One step's state in words, or undefined when it says nothing useful. */
export function describeStatus(status: V1ContainerStatus, step: string, memory: string): string | undefined {
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (terminated) {
    if (terminated.reason === 'OOMKilled') return `the ${step} step ran out of memory (OOMKilled${memory ? ` at the ${memory} limit` : ''}; raise SLIPWAY_STAGE_MEMORY_LIMIT)`;
    const why = terminated.reason && terminated.reason !== 'Error' && terminated.reason !== 'Completed' ? ` (${terminated.reason})` : '';
    return `the ${step} step exited with code ${terminated.exitCode}${why}`;
  }
  const waiting = status.state?.waiting;
  if (waiting?.reason) {
    const image = status.image ? ` "${status.image}"` : '';
    if (/ImagePull|ErrImage|InvalidImageName/.test(waiting.reason)) {
      return `the ${step === 'build' ? 'builder' : 'unpack'} image${image} could not be pulled (${waiting.reason})`;
    }
    return `the ${step} step could not start (${waiting.reason}${waiting.message ? `: ${waiting.message.slice(0, 300)}` : ''})`;
  }
  return undefined;
}
