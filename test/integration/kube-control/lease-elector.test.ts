import test from 'ava';
import { createLeaseElector, type LeaseElector } from '../../../controller/adapters/kube/control/lease-elector.ts';
import type { LeaseSpec } from '../../../controller/adapters/kube/control/lease-record.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import { startFakeKube, type FakeKube, type RecordedRequest } from '../../helpers/fake-kube/index.ts';

/**
 * Short timings so a takeover happens in a few seconds, yet long enough that a loaded
 * 2-core machine (CI runs test files side by side) does not miss a renewal by chance:
 * at 1 s / 0.7 s / 0.2 s and even at 3 s / 2.1 s / 0.6 s, event-loop stalls of CI (the
 * image build and sshd run beside) made leaders step down on their own.
 */
const LEASE_MS = 8000;
const RENEW_DEADLINE_MS = 5600;
const RETRY_MS = 1000;
/** What a loaded machine may add to a step that should take a retry period. */
const SLACK_MS = 1000;

/** A candidate plus what happened to it. */
interface Candidate {
  id: string;
  elector: LeaseElector;
  startedAt: number[];
  stoppedAt: number[];
  abortedAt: number[];
}

/** Several candidates for one Lease; records whether two ever led at once. */
async function campaign(t: { teardown(fn: () => Promise<void> | void): void }, ids: string[]) {
  const kube = await startFakeKube();
  const state = { leaders: new Set<string>(), overlaps: [] as string[] };
  const candidates = ids.map((id): Candidate => {
    const candidate: Candidate = { id, startedAt: [], stoppedAt: [], abortedAt: [], elector: undefined as never };
    candidate.elector = createLeaseElector({
      kc: kube.kubeConfig(), namespace: 'default', name: 'slipway-controller', identity: id, logger: silentLogger,
      leaseDurationMs: LEASE_MS, renewDeadlineMs: RENEW_DEADLINE_MS, retryPeriodMs: RETRY_MS,
      onStartedLeading: (signal) => {
        candidate.startedAt.push(performance.now());
        if (state.leaders.size > 0) state.overlaps.push(`${id} started while ${[...state.leaders].join(',')} led`);
        state.leaders.add(id);
        signal.addEventListener('abort', () => { candidate.abortedAt.push(performance.now()); state.leaders.delete(id); });
      },
      onStoppedLeading: () => { candidate.stoppedAt.push(performance.now()); },
    });
    return candidate;
  });
  t.teardown(async () => {
    await Promise.all(candidates.map((c) => c.elector.stop()));
    await kube.close();
  });
  for (const c of candidates) c.elector.start();
  return { kube, candidates, state };
}

function lease(kube: FakeKube): { spec?: LeaseSpec } | undefined {
  return kube.object('coordination.k8s.io/v1', 'Lease', 'default', 'slipway-controller') as { spec?: LeaseSpec } | undefined;
}

/** The one candidate leading, once exactly one does and the Lease names it. */
async function soleLeader(kube: FakeKube, candidates: Candidate[], timeoutMs = 15_000): Promise<Candidate> {
  return (await kube.waitFor(() => {
    const leading = candidates.filter((c) => c.elector.isLeader());
    return leading.length === 1 && lease(kube)?.spec?.holderIdentity === leading[0]!.id ? leading[0] : undefined;
  }, { timeoutMs }))!;
}

/** Resolves after the Lease's renewTime has changed `times` times: time passing, measured in renewals. */
async function renewals(kube: FakeKube, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const before = lease(kube)?.spec?.renewTime;
    await kube.waitFor(() => lease(kube)?.spec?.renewTime !== before, { timeoutMs: 15_000 });
  }
}

const writesBy = (id: string) => (r: RecordedRequest) => (r.method === 'PUT' || r.method === 'POST') && (r.body as { spec?: LeaseSpec } | undefined)?.spec?.holderIdentity === id;

test('of three candidates exactly one leads, and the Lease says who', async (t) => {
  const { kube, candidates, state } = await campaign(t, ['a', 'b', 'c']);
  const leader = await soleLeader(kube, candidates);
  await renewals(kube, 5);
  t.deepEqual(candidates.filter((c) => c.elector.isLeader()).map((c) => c.id), [leader.id]);
  for (const c of candidates) t.is(c.elector.leader(), leader.id, `${c.id} knows the leader`);
  t.deepEqual(state.overlaps, []);
  const spec = lease(kube)!.spec!;
  t.is(spec.leaseDurationSeconds, LEASE_MS / 1000);
  t.regex(spec.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime format');
  t.regex(spec.acquireTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  t.deepEqual(kube.rejections, []);
});

test('a stopped leader releases the Lease and a standby takes over within about one retry period', async (t) => {
  const { kube, candidates, state } = await campaign(t, ['a', 'b']);
  const leader = await soleLeader(kube, candidates);
  const standby = candidates.find((c) => c !== leader)!;
  const transitions = lease(kube)!.spec!.leaseTransitions ?? 0;
  const stoppedAt = performance.now();
  await leader.elector.stop();
  t.is(leader.abortedAt.length, 1, 'its signal aborted');
  t.is(leader.stoppedAt.length, 1, 'onStoppedLeading ran');
  await soleLeader(kube, [standby], 10_000);
  const handover = standby.startedAt[0]! - stoppedAt;
  t.true(handover < RETRY_MS * 1.2 + SLACK_MS, `handover took ${Math.round(handover)} ms`);
  t.is(lease(kube)!.spec!.leaseTransitions, transitions + 1);
  t.deepEqual(state.overlaps, []);
});

test('a leader whose renewals fail steps down before a standby replaces it within lease duration + retry period', async (t) => {
  const { kube, candidates, state } = await campaign(t, ['a', 'b']);
  const leader = await soleLeader(kube, candidates);
  const standby = candidates.find((c) => c !== leader)!;
  const lastRenew = lease(kube)!.spec!.renewTime!;
  let cut = true;
  kube.faults.fail({ times: 1_000_000, status: 500, match: (r) => cut && writesBy(leader.id)(r) });
  const cutAt = performance.now();
  await soleLeader(kube, [standby], 15_000);
  const takeover = standby.startedAt[0]! - cutAt;
  t.true(takeover <= LEASE_MS + RETRY_MS * 1.2 + SLACK_MS, `takeover took ${Math.round(takeover)} ms`);
  // Safety is measured from the last renewal the Lease records, not from the cut: on a
  // loaded machine that renewal may have come well before the cut.
  const expiredAt = Date.parse(lastRenew) + LEASE_MS;
  const startedAt = performance.timeOrigin + standby.startedAt[0]!;
  t.true(startedAt >= expiredAt - 100, `not before the lease expired (${Math.round(expiredAt - startedAt)} ms early)`);
  t.is(leader.abortedAt.length, 1);
  t.true(leader.abortedAt[0]! < standby.startedAt[0]!, 'the old leader stopped acting first');
  t.true(leader.abortedAt[0]! - cutAt <= RENEW_DEADLINE_MS + SLACK_MS / 2, 'it stepped down at its renew deadline');
  t.false(leader.elector.isLeader());
  t.not(lease(kube)!.spec!.renewTime, lastRenew);
  // Once it can reach the API again it is a candidate like any other.
  cut = false;
  await standby.elector.stop();
  await soleLeader(kube, [leader], 10_000);
  t.is(leader.startedAt.length, 2);
  t.deepEqual(state.overlaps, []);
});

test('a storm of 409 conflicts never makes two leaders, and one leads once it passes', async (t) => {
  const { kube, candidates, state } = await campaign(t, ['a', 'b', 'c']);
  await soleLeader(kube, candidates);
  kube.faults.conflicts({ times: 20, match: (r) => r.path.includes('/leases/') });
  await kube.waitFor(() => kube.requests.filter((r) => r.method === 'PUT').length > 25, { timeoutMs: 30_000 });
  await soleLeader(kube, candidates, 20_000);
  await renewals(kube, 3);
  t.deepEqual(state.overlaps, []);
  t.is(candidates.filter((c) => c.elector.isLeader()).length, 1);
});

test('leader() names the holder for candidates that do not lead', async (t) => {
  const { kube, candidates } = await campaign(t, ['a', 'b']);
  const leader = await soleLeader(kube, candidates);
  const other = candidates.find((c) => c !== leader)!;
  await kube.waitFor(() => other.elector.leader() === leader.id);
  t.false(other.elector.isLeader());
  t.is(leader.elector.leader(), leader.id);
});
