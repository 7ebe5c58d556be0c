/**
 * When an app is polled next. Jitter spreads a thousand apps with the same interval
 * over time instead of checking them in one burst; backoff stops Slipway from
 * hammering a git host that is down (Flux's reconcile backoff does the same).
 */

/** Spread of the jitter: ±10% of the interval. */
export const JITTER = 0.1;
/** Backoff never waits longer than this many intervals. */
export const MAX_BACKOFF_FACTOR = 10;

/** `interval × 2^failures`, capped at `10 × interval`; `interval` itself after a success. */
export function backoffMs(intervalMs: number, failures: number): number {
  const factor = Math.min(2 ** Math.max(0, failures), MAX_BACKOFF_FACTOR);
  return intervalMs * factor;
}

/**
 * The delay before the next poll after `failures` consecutive failed checks: the
 * backoff with ±10% jitter. `random` returns a number in [0, 1) (Math.random).
 */
export function nextCheckDelay(intervalMs: number, failures: number, random: () => number = Math.random): number {
  const base = backoffMs(intervalMs, failures);
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}
