/**
 * Restart delays for crashed instances.
 */

/** Exponential backoff settings: `initialMs` doubles per failed attempt up to `maxMs`. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** An instance that stayed ready this long resets the attempt count. Default 10 s. */
  resetAfterMs?: number;
}

/** The delay before restart attempt `attempt` (0 for the first restart after a crash). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const factor = 2 ** Math.min(Math.max(attempt, 0), 30);
  return Math.min(options.maxMs, options.initialMs * factor);
}
