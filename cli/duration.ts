/** Durations on the command line (`--timeout 10m`) and in messages. */

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `10m`, `1h` (a bare number is seconds) → milliseconds; undefined when malformed. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * UNITS[match[2] ?? 's']!);
  return ms > 0 ? ms : undefined;
}

/** Milliseconds → the largest whole unit: 600000 → "10m", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  }
  return `${ms}ms`;
}
