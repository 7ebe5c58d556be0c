/**
 * A stage's log: the `unpack` step's output, then the `build` step's, read from the
 * Job's pod. With `follow` it waits for the Job, the pod and each step to start (a
 * short poll: image pulls take a while and leave no log to stream), follows each step
 * until it ends, and closes with a `system` line saying how the stage ended.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig, V1Job, V1Pod } from '@kubernetes/client-node';
import { stageNotFound } from '../../../../../core/error-cases.ts';
import type { LogLine, LogOptions } from '../../../../../core/ports/runtime.ts';
import { isPodLogUnavailable, streamPodLogs } from '../pod-logs.ts';
import { describeStatus, failingStep } from './describe-stage-failure.ts';
import { findStageJob as findJob, findStagePod as findPod } from './find-stage-objects.ts';
import { retryTransient } from './retry-transient.ts';
import { jobOutcome } from './job-outcome.ts';

/** How often and how long stagingLogs waits. */
export interface StagingLogTiming {
  /** Poll interval while waiting for the Job, the pod, a step or the outcome. */
  pollMs: number;
  /** With follow: how long a Job that does not exist yet is waited for (stage() sets up Secrets and the cache first). */
  appearMs: number;
  /** With follow: how long a step that has not started is waited for (the build's deadline). */
  waitMs: number;
  /** With follow: how long the Job's outcome is waited for once the build step ended. */
  endMs: number;
}

const DEFAULTS: Omit<StagingLogTiming, 'waitMs'> = { pollMs: 500, appearMs: 15_000, endMs: 10_000 };

const STEPS = ['unpack', 'build'] as const;

type StepState = 'absent' | 'waiting' | 'started' | 'terminated';

/** Where `step` of the pod is. */
function stepState(pod: V1Pod | undefined, step: string): StepState {
  const status = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])].find((s) => s.name === step);
  if (!status) return 'absent';
  if (status.state?.terminated) return 'terminated';
  if (status.state?.running) return 'started';
  return 'waiting';
}

/** Reads stage `stageId`'s log; throws `stage_not_found` when there is no such Job (after a short wait with follow). */
export async function* readStagingLogs(kc: KubeConfig, namespace: string, stageId: string, options: LogOptions, timing: Partial<StagingLogTiming> & { waitMs: number }): AsyncIterable<LogLine> {
  const t: StagingLogTiming = { ...DEFAULTS, ...timing };
  const { follow, signal } = options;
  const pause = () => sleep(t.pollMs, undefined, { signal }).then(() => true, () => false);
  // A follower outlives passing API trouble (5xx, a dropped connection) instead of ending mid-build.
  const findStageJob = (...args: Parameters<typeof findJob>) => retryTransient(() => findJob(...args), { signal });
  const findStagePod = (...args: Parameters<typeof findPod>) => retryTransient(() => findPod(...args), { signal });
  let job = await findStageJob(kc, namespace, stageId);
  const appearBy = Date.now() + t.appearMs;
  while (!job && follow && Date.now() < appearBy && await pause()) job = await findStageJob(kc, namespace, stageId);
  if (signal?.aborted) return;
  if (!job) throw stageNotFound(namespace, stageId);
  const startBy = Date.now() + t.waitMs;

  for (const step of STEPS) {
    if (step === 'unpack' && options.tail !== undefined) {
      // The unpack lines come before every build line: a tail of a started build skips them.
      const build = stepState(await findStagePod(kc, namespace, stageId), 'build');
      if (build === 'started' || build === 'terminated') continue;
    }
    for (let resumed = false; ;) {
      if (signal?.aborted) return;
      const pod = await findStagePod(kc, namespace, stageId);
      const state = stepState(pod, step);
      const podName = pod?.metadata?.name;
      if (podName && (state === 'started' || state === 'terminated')) {
        try {
          yield* streamPodLogs(kc, namespace, podName, step, { follow, tail: resumed ? 0 : options.tail, signal, source: step });
        } catch (error) {
          if (!isPodLogUnavailable(error)) throw error;
          if (!follow || !(await pause())) return;
          continue;
        }
        if (!follow || state === 'terminated') break;
        const after = await findStagePod(kc, namespace, stageId);
        if (after?.metadata?.name !== podName || stepState(after, step) === 'terminated' || after.status?.phase === 'Failed' || after.status?.phase === 'Succeeded') break;
        // The stream broke while the step still runs: pick up from now (lines in the gap are lost, none repeated).
        resumed = true;
        if (!(await pause())) return;
        continue;
      }
      if (!follow) break;
      // Not started: stop when it never will (the stage ended, the pod failed) or the deadline passed.
      job = await findStageJob(kc, namespace, stageId);
      if (!job || jobOutcome(job) || pod?.status?.phase === 'Failed' || pod?.status?.phase === 'Succeeded' || Date.now() > startBy) break;
      if (!(await pause())) return;
    }
  }

  const end = await ending(kc, namespace, stageId, follow ? t.endMs : 0, pause);
  if (end && !signal?.aborted) yield { time: new Date().toISOString(), stream: 'system', text: end };
}

/** "stage succeeded" / "stage failed: …" once the Job has an outcome (waiting up to `ms`), else undefined. */
async function ending(kc: KubeConfig, namespace: string, stageId: string, ms: number, pause: () => Promise<boolean>): Promise<string | undefined> {
  const findStageJob = (...args: Parameters<typeof findJob>) => retryTransient(() => findJob(...args));
  const findStagePod = findPod;
  const by = Date.now() + ms;
  let job: V1Job | undefined = await findStageJob(kc, namespace, stageId);
  while (job && !jobOutcome(job) && Date.now() < by && await pause()) job = await findStageJob(kc, namespace, stageId);
  const outcome = job && jobOutcome(job);
  if (!outcome) return undefined;
  if (outcome.succeeded) return 'stage succeeded';
  const pod = await findStagePod(kc, namespace, stageId).catch(() => undefined);
  const step = pod && failingStep(pod);
  const detail = step && describeStatus(step.status, step.name, '');
  return `stage failed: ${outcome.reason}${detail ? ` (${detail})` : outcome.message ? ` (${outcome.message})` : ''}`;
}
