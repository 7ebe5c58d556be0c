/**
 * The API requests a scenario cost, as the fake API server recorded them: counted from
 * the scenario's first request until the controller has gone quiet, so work it does
 * after the last push finished (status writes, Events, refreshes) counts too. Lease
 * requests come on their own clock, not per push, and are counted apart; watches are
 * long-lived streams and counted apart as well.
 */
import type { KubeWorld } from '../../test/helpers/kube-server.ts';
import type { RecordedRequest } from '../../test/helpers/fake-kube/index.ts';
import { tally } from './stats.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request to a Lease (the controller's leader election). */
export const isLease = (r: RecordedRequest) => r.path.includes('/leases');
/** A watch request (one stream, not one answer). */
export const isWatch = (r: RecordedRequest) => r.method === 'GET' && (r.query.watch === 'true' || r.query.watch === '1');

/** Requests split as the figures show them. */
export interface RequestCount {
  /** Every request but Lease requests (watches included: a re-opened watch is work too). */
  total: number;
  /** Those by verb and resource, most frequent first. */
  kinds: [string, number][];
  /** Lease requests (renewals) in the same window, apart. */
  lease: number;
}

/** Counts `requests` (a slice of the fake's record) as {@link RequestCount}. */
export function countRequests(requests: RecordedRequest[]): RequestCount {
  const work = requests.filter((r) => !isLease(r));
  return { total: work.length, kinds: tally(work), lease: requests.length - work.length };
}

/**
 * Resolves once the fake has seen no request but Lease requests and watches for
 * `quietMs` (or after `maxMs`): the controller has finished what the scenario set off.
 */
export async function untilQuiet(world: KubeWorld, quietMs = 1000, maxMs = 30_000): Promise<void> {
  const { requests } = world.kube;
  const deadline = Date.now() + maxMs;
  let seen = requests.length;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await sleep(100);
    // Only the new requests are looked at: the record holds every request of the run.
    if (requests.slice(seen).some((r) => !isLease(r) && !isWatch(r))) quietSince = Date.now();
    seen = requests.length;
  }
}
