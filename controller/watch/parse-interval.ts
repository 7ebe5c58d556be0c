/**
 * Polling intervals as users write them in `origin.git.interval`: "30s", "1m", "1h"
 * (or a combination such as "1m30s"). Missing means one minute.
 */
import { invalidRequest } from '../../core/error-cases.ts';

/** The interval when an app sets none. */
export const DEFAULT_INTERVAL_MS = 60_000;
/** The shortest interval honoured: more often would only load the git host. */
export const MIN_INTERVAL_MS = 10_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses `text` to milliseconds, raising values below `minMs` (default 10 s) to it.
 * Throws `invalid_request` for anything that is not a sequence of `<number><unit>`.
 */
export function parseInterval(text: string | undefined, minMs = MIN_INTERVAL_MS): number {
  const source = text?.trim() ?? '';
  if (source === '') return Math.max(DEFAULT_INTERVAL_MS, minMs);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let match = part.exec(source); match; match = part.exec(source)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    end = part.lastIndex;
  }
  if (end !== source.length || !Number.isFinite(total) || total <= 0) {
    throw invalidRequest(`interval "${source.slice(0, 40)}" is not a duration such as "30s", "1m" or "1h"`, { field: 'interval' });
  }
  return Math.max(Math.round(total), minMs);
}

/**
 * Refuses (`invalid_request`) an interval this server would raise to `minMs`: saying
 * "polled every 5s" while polling every 10 s misleads whoever set it.
 */
export function assertIntervalHonoured(text: string | undefined, minMs = MIN_INTERVAL_MS): void {
  if (text === undefined) return;
  const ms = parseInterval(text, 0);
  if (ms < minMs) {
    throw invalidRequest(`interval "${text}" is shorter than this server's minimum of ${minMs / 1000}s (SLIPWAY_WATCH_MIN_INTERVAL_MS); use ${minMs / 1000}s or more, or a webhook for pushes within seconds`, { field: 'interval' });
  }
}
