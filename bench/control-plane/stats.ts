/** Small figures helpers for the control-plane bench: percentiles and API request tallies. */
import type { RecordedRequest } from '../../test/helpers/fake-kube/index.ts';

/** p50/p95/max (and the count) of a list of durations in ms. */
export interface Spread {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentiles, so p95 of 20 samples is the 19th, not an interpolation. */
export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { n: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted.at(-1) ?? NaN };
}

/**
 * `GET apps`, `PUT apps/status`, `LIST pods`, …: the verb and the resource (plus the
 * subresource) of a request to the fake, without namespace and name, so requests of
 * different apps add up. A GET of a collection is a `LIST`, a watch a `WATCH`.
 */
export function requestKind(req: RecordedRequest): string {
  const parts = req.path.split('/').filter(Boolean);
  // /api/v1/… or /apis/<group>/<version>/…
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [resource = parts.join('/'), name, sub] = rest;
  const verb = req.method !== 'GET' ? req.method : req.query.watch === 'true' || req.query.watch === '1' ? 'WATCH' : name === undefined ? 'LIST' : 'GET';
  return `${verb} ${resource}${sub ? `/${sub}` : ''}`;
}

/** Requests by kind, most frequent first. */
export function tally(requests: RecordedRequest[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const req of requests) counts.set(requestKind(req), (counts.get(requestKind(req)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** `1234` → `1.23 s`, `123` → `123 ms`. */
export function ms(value: number): string {
  return value >= 999.5 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}
