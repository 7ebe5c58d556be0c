/**
 * Retries a Kubernetes call that failed for a reason that passes (5xx, 429, 409, a
 * dropped connection: errors whose `retry` is `backoff`), a few times with jittered
 * exponential backoff. Refusals (404, 422, 403, a missing Secret) are thrown at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isSlipwayError } from '../../../../../core/errors.ts';

/** Options of {@link retryTransient}. */
export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  signal?: AbortSignal;
}

/** Runs `fn` until it succeeds, fails for good, or `attempts` are spent. */
export async function retryTransient<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseMs ?? 100;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      const transient = isSlipwayError(error) && error.retry === 'backoff';
      if (!transient || attempt >= attempts || options.signal?.aborted) throw error;
      const delay = Math.min(5_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      await sleep(delay, undefined, { signal: options.signal }).catch(() => {});
    }
  }
}
