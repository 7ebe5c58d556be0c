/**
 * Leader election over a `coordination.k8s.io/v1` Lease, with client-go's semantics
 * (client-node has none): candidates poll the Lease every retry period and take it
 * when it is free or expired, always writing with the resourceVersion they read, so
 * of two racing candidates one gets 409 and stays a candidate. The leader renews
 * every retry period; if no renewal succeeded for `renewDeadlineMs` it steps down on
 * its own — before `leaseDurationMs` has passed, which is the earliest another
 * replica may take over — so a leader cut off from the API stops acting first.
 * Expiry compares the Lease's `renewTime` with this machine's clock, so replicas'
 * clocks are assumed to agree to well within `leaseDuration - renewDeadline`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../../../core/ports/clock.ts';
import type { Logger } from '../../../../core/ports/logger.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import { kubeRequest } from './kube-request.ts';
import { heldSpec, leaseFree, leasePath, releasedSpec, type LeaseObject } from './lease-record.ts';

/** Options of {@link createLeaseElector}. Durations as client-go's defaults: 15 s, 10 s, 2 s. */
export interface LeaseElectorOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  /** This replica's name in `spec.holderIdentity` (the pod name, say). Unique per replica. */
  identity: string;
  /** How long a Lease stays valid after its last renewal (written as whole seconds, rounded up). */
  leaseDurationMs?: number;
  /** A leader that has not renewed for this long steps down. Must be below leaseDurationMs. */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire and the leader renews. Must be below renewDeadlineMs. */
  retryPeriodMs?: number;
  logger: Logger;
  /** Wall clock for `acquireTime`/`renewTime` and expiry. */
  clock?: Clock;
  /** Source of the retry jitter in [0, 1); default Math.random. */
  random?: () => number;
  /** Called on becoming leader. `signal` aborts when leadership ends; stop acting then. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when leadership ends (lost, stepped down, or stop()); only after onStartedLeading. */
  onStoppedLeading: () => void;
}

/** A running candidate. */
export interface LeaseElector {
  /** Starts campaigning; a replica that loses leadership keeps campaigning. */
  start(): void;
  /**
   * Stops campaigning. A leader aborts its signal, calls onStoppedLeading, waits for the
   * promise onStartedLeading returned (if any) to settle, then releases the Lease so a
   * standby takes over at once.
   */
  stop(): Promise<void>;
  isLeader(): boolean;
  /** The holder this replica last saw (itself while leading), or undefined when none. */
  leader(): string | undefined;
}

/** Creates a {@link LeaseElector}; nothing happens before `start()`. */
export function createLeaseElector(options: LeaseElectorOptions): LeaseElector {
  const { kc, namespace, name, identity } = options;
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
    throw new Error('lease election needs leaseDurationMs > renewDeadlineMs > retryPeriodMs > 0');
  }
  const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger.child({ lease: `${namespace}/${name}`, identity });

  let observed: LeaseObject | undefined;
  let leading = false;
  let stopped = false;
  let loop: Promise<void> | undefined;
  const stopping = new AbortController();

  /** One attempt to acquire or renew; true when this replica holds the Lease afterwards. */
  async function tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    // Fast path as in client-go: a leader renews over the Lease it last wrote, without reading first.
    if (leading && observed && await write(observed, signal).catch(() => false)) return true;
    let lease: LeaseObject;
    try {
      lease = await kubeRequest<LeaseObject>(kc, { method: 'GET', path: leasePath(namespace, name), signal });
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw error;
      const created: LeaseObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: heldSpec(undefined, identity, leaseDurationSeconds, clock.now()) };
      try {
        observed = await kubeRequest<LeaseObject>(kc, { method: 'POST', path: leasePath(namespace), body: created, signal });
        return true;
      } catch (createError) {
        if (isKubeStatus(createError, 409)) return false; // another candidate created it first
        throw createError;
      }
    }
    observed = lease;
    if (lease.spec?.holderIdentity !== identity && !leaseFree(lease.spec, clock.now())) return false;
    return write(lease, signal);
  }

  /** Writes this replica as holder over `lease` (its resourceVersion guards the write); false on 409. */
  async function write(lease: LeaseObject, signal: AbortSignal): Promise<boolean> {
    const next: LeaseObject = { ...lease, spec: { ...lease.spec, ...heldSpec(lease.spec, identity, leaseDurationSeconds, clock.now()) } };
    try {
      observed = await kubeRequest<LeaseObject>(kc, { method: 'PUT', path: leasePath(namespace, name), body: next, signal });
      return true;
    } catch (error) {
      if (isKubeStatus(error, 409)) return false; // someone wrote in between: read again next time
      throw error;
    }
  }

  /** tryAcquireOrRenew that logs failures instead of throwing. */
  async function attempt(signal: AbortSignal): Promise<boolean> {
    try {
      return await tryAcquireOrRenew(signal);
    } catch (error) {
      if (!signal.aborted) logger.warn({ err: fromKubeError(error, `updating Lease ${namespace}/${name}`).message }, 'lease attempt failed');
      return false;
    }
  }

  const retryDelay = () => Math.round(retryPeriodMs * (1 + 0.2 * random()));

  /** Leads until renewals fail for renewDeadlineMs or stop() is called. `renewedAt`: monotonic time before the acquiring write. */
  async function lead(renewedAt: number): Promise<void> {
    const term = new AbortController();
    const stepDown = () => term.abort();
    stopping.signal.addEventListener('abort', stepDown);
    let deadline = setTimeout(stepDown, Math.max(0, renewDeadlineMs - (performance.now() - renewedAt)));
    leading = true;
    logger.info('became leader');
    let work: Promise<void> | void = undefined;
    try {
      work = Promise.resolve(options.onStartedLeading(term.signal)).catch((error: unknown) => {
        logger.error({ err: (error as Error)?.message }, 'onStartedLeading failed');
      });
    } catch (error) {
      logger.error({ err: (error as Error)?.message }, 'onStartedLeading failed');
    }
    while (!term.signal.aborted) {
      await sleep(retryPeriodMs, undefined, { signal: term.signal }).catch(() => undefined);
      if (term.signal.aborted) break;
      const startedAt = performance.now();
      if (await attempt(term.signal)) {
        renewedAt = startedAt;
        clearTimeout(deadline);
        deadline = setTimeout(stepDown, Math.max(0, renewDeadlineMs - (performance.now() - renewedAt)));
      }
    }
    clearTimeout(deadline);
    stopping.signal.removeEventListener('abort', stepDown);
    leading = false;
    if (stopped) logger.info('stopping: giving up leadership');
    else logger.warn({ renewDeadlineMs }, 'could not renew the lease in time; stepped down');
    try { options.onStoppedLeading(); } catch (error) { logger.error({ err: (error as Error)?.message }, 'onStoppedLeading failed'); }
    if (stopped) await work; // the work has wound down before the Lease is released
  }

  /** Lets go of the Lease if this replica still holds it, so a standby need not wait for it to expire. */
  async function release(): Promise<void> {
    const signal = AbortSignal.timeout(renewDeadlineMs);
    for (let tries = 0; tries < 2 && observed?.spec?.holderIdentity === identity; tries++) {
      try {
        observed = await kubeRequest<LeaseObject>(kc, { method: 'PUT', path: leasePath(namespace, name), body: { ...observed, spec: releasedSpec(observed.spec, clock.now()) }, signal });
        logger.info('released the lease');
        return;
      } catch (error) {
        if (!isKubeStatus(error, 409)) {
          logger.warn({ err: fromKubeError(error, `releasing Lease ${namespace}/${name}`).message }, 'could not release the lease; it expires on its own');
          return;
        }
        observed = await kubeRequest<LeaseObject>(kc, { method: 'GET', path: leasePath(namespace, name), signal }).catch(() => undefined);
      }
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      const startedAt = performance.now();
      if (await attempt(stopping.signal) && !stopped) {
        await lead(startedAt);
        continue;
      }
      await sleep(retryDelay(), undefined, { signal: stopping.signal }).catch(() => undefined);
    }
    await release(); // also covers a write that acquired the Lease just as stop() was called
  }

  return {
    start() {
      loop ??= run().catch((error: unknown) => logger.error({ err: (error as Error)?.message }, 'leader election loop ended'));
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await loop;
    },
    isLeader: () => leading,
    leader: () => (leading ? identity : observed?.spec?.holderIdentity || undefined),
  };
}
