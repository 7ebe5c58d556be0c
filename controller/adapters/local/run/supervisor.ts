/**
 * Runs N instances of one release and keeps them running: starts them all, restarts a
 * crashed one on a fresh port with exponential backoff, and tells the router which
 * ports are ready.
 */
import type { LogSink } from '../../../../core/ports/runtime.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { freePort } from './free-port.ts';
import { describeExit, startInstance, type Instance, type InstanceExit } from './start-instance.ts';
import type { TrackProcess } from './process-records.ts';

/** What a supervisor runs. */
export interface ReleaseSpec {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  instances: number;
}

/** Dependencies and settings of {@link createSupervisor}. */
export interface SupervisorOptions {
  spec: ReleaseSpec;
  log: LogSink;
  /** Prefix of instance ids (`web-1`); ids are `1`, `2`, … without it. */
  name?: string;
  backoff: BackoffOptions;
  readyTimeoutMs: number;
  graceMs: number;
  maxLogBytesPerSecond?: number;
  /** Called whenever the ready set changes (an instance became ready or went away). */
  onChange?: () => void;
  /** Milliseconds now; a port so tests can control when the backoff resets. */
  now?: () => number;
  /** Called before an instance is stopped on purpose (rolling restart), e.g. to drain it in the router. */
  beforeStop?: (port: number) => Promise<void>;
  /** Records each started instance (see start-instance.ts); `label` names the release in it. */
  track?: TrackProcess;
  label?: string;
}

/** The supervisor's view of its instances (the `RuntimeAppStatus` fields it owns). */
export interface SupervisorStatus {
  phase: 'running' | 'starting' | 'degraded' | 'crashed' | 'stopped';
  desired: number;
  ready: number;
  restarts: number;
  message?: string;
}

/** The instances of one release. */
export interface Supervisor {
  /** Starts all instances; resolves once all are ready, or rejects (`deploy_failed`) after stopping the ones it started. */
  start(): Promise<void>;
  /** Ports of the ready instances, for the router. */
  backends(): { port: number }[];
  status(): SupervisorStatus;
  /** Replaces the instances one at a time, each new one ready before its old one stops. */
  restart(): Promise<void>;
  /** Stops everything; no restarts afterwards. Idempotent. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

interface Slot {
  id: string;
  instance?: Instance;
  ready: boolean;
  attempt: number;
  readyAt: number;
  timer?: NodeJS.Timeout;
}

/** Creates the supervisor of one release; nothing runs before `start()`. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { spec, log } = options;
  const now = options.now ?? Date.now;
  const resetAfterMs = options.backoff.resetAfterMs ?? 10_000;
  const slots: Slot[] = Array.from({ length: spec.instances }, (_, i) => ({
    id: options.name ? `${options.name}-${i + 1}` : String(i + 1),
    ready: false,
    attempt: 0,
    readyAt: 0,
  }));
  let state: 'new' | 'starting' | 'started' | 'stopped' = 'new';
  let restarts = 0;
  let message: string | undefined;
  const changed = () => options.onChange?.();

  /** Starts an instance on a fresh port; retries once when the port was taken meanwhile (see free-port.ts). */
  const launch = async (slot: Slot): Promise<Instance> => {
    for (let tries = 0; ; tries++) {
      const instance = startInstance({ id: slot.id, command: spec.command, cwd: spec.cwd, env: spec.env, port: await freePort(), log, maxLogBytesPerSecond: options.maxLogBytesPerSecond,
        track: options.track, label: options.label ? `${options.label} ${slot.id}` : slot.id,
      });
      try {
        await instance.waitUntilReady({ timeoutMs: options.readyTimeoutMs });
        return instance;
      } catch (error) {
        await instance.stop({ graceMs: options.graceMs });
        if (tries === 0 && instance.tail().some((line) => line.includes('EADDRINUSE'))) continue;
        throw error;
      }
    }
  };

  const adopt = (slot: Slot, instance: Instance) => {
    slot.instance = instance;
    slot.ready = true;
    slot.readyAt = now();
    instance.exited.then((exit) => onExit(slot, instance, exit));
    changed();
  };

  const onExit = (slot: Slot, instance: Instance, exit: InstanceExit) => {
    if (slot.instance !== instance || state === 'stopped') return;
    slot.instance = undefined;
    slot.ready = false;
    if (now() - slot.readyAt >= resetAfterMs) slot.attempt = 0;
    // The first error line says why (a Node crash ends in stack frames); else the last line.
    const last = instance.firstError() ?? instance.tail().filter((line) => line.trim()).at(-1);
    message = `instance ${slot.id} ${describeExit(exit)}${last ? `: ${last}` : ''}`;
    changed();
    if (state === 'started') scheduleRestart(slot);
  };

  const scheduleRestart = (slot: Slot) => {
    const wait = backoffDelay(slot.attempt, options.backoff);
    slot.attempt++;
    log({ stream: 'system', source: slot.id, text: `${message ?? `instance ${slot.id} stopped`}; restarting in ${wait} ms` });
    slot.timer = setTimeout(async () => {
      slot.timer = undefined;
      if (state !== 'started') return;
      restarts++;
      try {
        const instance = await launch(slot);
        if (state !== 'started' || slot.instance) return void instance.stop({ graceMs: options.graceMs });
        log({ stream: 'system', source: slot.id, text: `instance ${slot.id} restarted on port ${instance.port}` });
        adopt(slot, instance);
      } catch (error) {
        const firstError = (error as { data?: { firstError?: string } }).data?.firstError;
        message = `instance ${slot.id}: ${(error as Error).message.split('\n')[0]}${firstError ? ` (${firstError})` : ''}`;
        scheduleRestart(slot);
      }
    }, wait);
  };

  const stopAll = async (graceMs: number) => {
    await Promise.all(
      slots.map(async (slot) => {
        clearTimeout(slot.timer);
        slot.ready = false;
        const instance = slot.instance;
        slot.instance = undefined;
        await instance?.stop({ graceMs });
      }),
    );
  };

  return {
    async start() {
      if (state !== 'new') throw new Error('a supervisor starts once');
      state = 'starting';
      const results = await Promise.allSettled(slots.map(async (slot) => adopt(slot, await launch(slot))));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed || state !== 'starting') {
        state = 'stopped';
        await stopAll(options.graceMs);
        changed();
        if (failed) throw failed.reason;
        return;
      }
      state = 'started';
    },
    backends: () => slots.filter((slot) => slot.ready && slot.instance).map((slot) => ({ port: slot.instance!.port })),
    status() {
      const ready = slots.filter((slot) => slot.ready).length;
      const desired = spec.instances;
      const phase =
        state === 'stopped' ? 'stopped'
        : state === 'new' || state === 'starting' ? 'starting'
        : ready === desired ? 'running'
        : ready === 0 ? 'crashed'
        : 'degraded';
      return { phase, desired, ready, restarts, ...(message && phase !== 'running' ? { message } : {}) };
    },
    async restart() {
      if (state !== 'started') return;
      for (const slot of slots) {
        if (state !== 'started') return;
        clearTimeout(slot.timer);
        slot.timer = undefined;
        slot.attempt = 0;
        const replacement = await launch(slot);
        const old = slot.instance;
        // The old one leaves the backend list before it is stopped, so no new request reaches it.
        adopt(slot, replacement);
        if (old) {
          await options.beforeStop?.(old.port);
          await old.stop({ graceMs: options.graceMs });
        }
      }
    },
    async stop(stopOptions = {}) {
      if (state === 'stopped' && slots.every((slot) => !slot.instance)) return;
      state = 'stopped';
      await stopAll(stopOptions.graceMs ?? options.graceMs);
      changed();
    },
  };
}
