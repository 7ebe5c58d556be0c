import test from 'ava';
import { heldSpec, leaseFree, microTime, releasedSpec, type LeaseSpec } from '../../../controller/adapters/kube/control/lease-record.ts';

const now = new Date('2026-11-05T10:00:00.250Z');

test('MicroTime has exactly six fractional digits', (t) => {
  t.is(microTime(now), '2026-11-05T10:00:00.250000Z');
});

const free = test.macro({
  exec: (t, spec: LeaseSpec | undefined, expected: boolean) => t.is(leaseFree(spec, now), expected),
  title: (provided = '', _spec: LeaseSpec | undefined, expected: boolean) => `a lease ${provided} is ${expected ? 'free' : 'held'}`,
});
test('that does not exist yet', free, undefined, true);
test('without a holder', free, { renewTime: microTime(now), leaseDurationSeconds: 15 }, true);
test('renewed within its duration', free, { holderIdentity: 'a', renewTime: '2026-11-05T09:59:50.000000Z', leaseDurationSeconds: 15 }, false);
test('whose duration has just run out', free, { holderIdentity: 'a', renewTime: '2026-11-05T09:59:45.250000Z', leaseDurationSeconds: 15 }, true);
test('renewed long ago', free, { holderIdentity: 'a', renewTime: '2026-11-05T09:00:00.000000Z', leaseDurationSeconds: 15 }, true);
test('with no renewTime', free, { holderIdentity: 'a', leaseDurationSeconds: 15 }, true);

test('taking a lease over from another holder counts a transition and sets acquireTime', (t) => {
  const spec = heldSpec({ holderIdentity: 'a', acquireTime: 'then', renewTime: 'then', leaseTransitions: 3, leaseDurationSeconds: 15 }, 'b', 15, now);
  t.deepEqual(spec, { holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 4 });
});

test('renewing keeps acquireTime and the transition count', (t) => {
  const spec = heldSpec({ holderIdentity: 'b', acquireTime: 'then', renewTime: 'then', leaseTransitions: 4, leaseDurationSeconds: 15 }, 'b', 15, now);
  t.deepEqual(spec, { holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: 'then', renewTime: microTime(now), leaseTransitions: 4 });
});

test('a new lease starts at zero transitions', (t) => {
  t.is(heldSpec(undefined, 'a', 15, now).leaseTransitions, 0);
});

test('a released lease has no holder and is free at once', (t) => {
  const spec = releasedSpec({ holderIdentity: 'b', leaseTransitions: 4, leaseDurationSeconds: 15 }, now);
  t.is(spec.holderIdentity, undefined);
  t.is(spec.leaseTransitions, 4);
  t.true(leaseFree(spec, now));
});
