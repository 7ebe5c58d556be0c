/**
 * Retries of Kubernetes calls that failed for a passing reason: a 5xx or 429 from the
 * API server (an apiserver restarting, etcd leader change, priority-and-fairness
 * throttling) or a socket error. Anything else — 404, 409, 422 — is an answer and goes
 * back to the caller at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeFailure } from '../kube-errors.ts';

/** Options for {@link retryTransient}. */
export interface RetryOptions {
  /** Calls in all, the first included (default 4). */
  attempts?: number;
  /** First delay; it doubles each time, with jitter (default 50 ms). */
  baseMs?: number;
}

/** True when `error` is worth another try: 5xx, 429, or no API answer at all. */
export function isTransient(error: unknown): boolean {
  const failure = kubeFailure(error);
  if (!failure) return true;
  return failure.code >= 500 || failure.code === 429;
}

/**
 * A delay for retry number `attempt` (0-based): `baseMs · 2^attempt`, capped at 2 s,
 * with jitter over its upper half so that writers who collided do not
 * collide again in step (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function backoffDelay(attempt: number, baseMs: number): number {
  const ceiling = Math.min(2_000, baseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Calls `call` until it succeeds, fails for a non-transient reason, or `attempts` are used up (then the last error is thrown). */
export async function retryTransient<T>(call: () => Promise<T>, { attempts = 4, baseMs = 50 }: RetryOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt + 1 >= attempts || !isTransient(error)) throw error;
      await sleep(backoffDelay(attempt, baseMs));
    }
  }
}
