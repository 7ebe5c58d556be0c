/**
 * How a Job ended, read from its conditions: `Complete`, or `Failed` with the
 * controller's reason (BackoffLimitExceeded, DeadlineExceeded, …). Newer Kubernetes
 * first sets `SuccessCriteriaMet` / `FailureTarget` and only then the final condition,
 * once the pods are gone; the final one is what counts.
 */
import type { V1Job } from '@kubernetes/client-node';

/** A finished Job's result. */
export type JobOutcome = { succeeded: true } | { succeeded: false; reason: string; message?: string };

/** The outcome, or undefined while the Job runs. */
export function jobOutcome(job: V1Job): JobOutcome | undefined {
  const conditions = job.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
  if (isTrue('Complete')) return { succeeded: true };
  const failed = isTrue('Failed');
  if (failed) return { succeeded: false, reason: failed.reason || 'Failed', ...(failed.message ? { message: failed.message } : {}) };
  return undefined;
}
