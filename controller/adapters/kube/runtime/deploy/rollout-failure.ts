/**
 * The `deploy_failed` error of a rollout that failed, as both rollout waits throw it: what
 * went wrong with which pod, the last lines of its container's log when it ran (not for
 * image problems: there is no log), and how long a pull failure was put up with.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { deployFailed } from '../../../../../core/error-cases.ts';
import { lastLogLines } from './last-log-lines.ts';
import { PULL_REASONS, describeProblem } from './pod-problem.ts';
import type { RolloutState } from './rollout-state.ts';

/** The error for `failed`, a rollout of `what` in `namespace`; `pullGraceMs` is the grace a pull failure had. */
export async function rolloutFailure(kc: KubeConfig, namespace: string, what: string, failed: Extract<RolloutState, { kind: 'failed' }>, pullGraceMs: number): Promise<Error> {
  const { problem } = failed;
  const imageProblem = problem && /Image|Pull/.test(problem.reason);
  const log = problem && !imageProblem ? await lastLogLines(kc, namespace, problem.pod, problem.container, true) : [];
  const grace = problem && PULL_REASONS.has(problem.reason) ? `; the image could not be pulled for ${Math.round(pullGraceMs / 1000)} s (SLIPWAY_PENDING_GRACE_MS)` : '';
  return deployFailed(`${what} did not start: ${problem ? describeProblem(problem) : `${failed.reason}: ${failed.message}`}${grace}`, log);
}
