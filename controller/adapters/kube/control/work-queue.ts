/**
 * A keyed work queue in the manner of client-go's workqueue, as controller-runtime
 * uses it: a key queued many times runs once, never two handlers on one key at a
 * time, failed keys retry with per-key jittered exponential backoff. The reconciler
 * keys it by `namespace/app` (STYLE.md "Controller").
 */
import type { Logger } from '../../../../core/ports/logger.ts';
import { silentLogger } from '../../../../core/ports/logger.ts';
import { realTimers, type Timers } from './timers.ts';

/** What a handler may ask for on success: run this key again after a delay (polling a rollout, say). */
export type WorkResult = void | { requeueAfterMs?: number };

/** Options of {@link createWorkQueue}. */
export interface WorkQueueOptions {
  /** Does the work for one key. Throwing requeues the key with backoff. */
  handler: (key: string) => Promise<WorkResult>;
  /** Handlers running at once, over different keys. Default 4. */
  concurrency?: number;
  /** Retry delay after the n-th consecutive failure of a key: `baseMs * 2^(n-1)`, at most `maxMs`, ±20 % jitter. */
  backoff?: { baseMs: number; maxMs: number };
  /** Source of jitter in [0, 1); default Math.random. */
  random?: () => number;
  /** Timers for delayed adds; tests pass fake ones. */
  timers?: Timers;
  logger?: Logger;
}

/** The queue. All methods are safe to call from inside a handler. */
export interface WorkQueue {
  /** Queues `key` unless it is already queued. A key added while its handler runs runs again right after. */
  add(key: string): void;
  /** Queues `key` after `ms`. An earlier pending delayed add of the same key wins. */
  addAfter(key: string, ms: number): void;
  /** Drops what the queue knows of `key`: failure count, delayed adds, a queued run. A running handler finishes. */
  forget(key: string): void;
  /** Stops taking work, drops queued and delayed keys, resolves when running handlers have finished. */
  shutdown(): Promise<void>;
  /** Resolves when nothing is queued or running (delayed adds do not count). For tests. */
  idle(): Promise<void>;
  /** Keys queued and not yet running. */
  readonly length: number;
}

/** Jitter of retry delays: ±20 %, so keys that failed together do not retry together. */
const JITTER = 0.2;

/** Creates a {@link WorkQueue}; it starts working as soon as keys are added. */
export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const { handler } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const backoff = options.backoff ?? { baseMs: 100, maxMs: 60_000 };
  const random = options.random ?? Math.random;
  const timers = options.timers ?? realTimers;
  const logger = options.logger ?? silentLogger;

  const ready: string[] = [];
  /** Keys that must run (again): queued in `ready`, or waiting for their running handler to finish. */
  const dirty = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const delayed = new Map<string, { at: number; handle: unknown }>();
  const failures = new Map<string, number>();
  let idleWaiters: Array<() => void> = [];
  let closed = false;
  let pumpScheduled = false;

  function add(key: string): void {
    if (closed || dirty.has(key)) return;
    dirty.add(key);
    if (!running.has(key)) ready.push(key);
    schedulePump();
  }

  function addAfter(key: string, ms: number): void {
    if (closed) return;
    if (!(ms > 0)) { add(key); return; }
    const at = timers.now() + ms;
    const pending = delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) timers.clearTimeout(pending.handle);
    const handle = timers.setTimeout(() => {
      delayed.delete(key);
      add(key);
    }, ms);
    delayed.set(key, { at, handle });
  }

  function forget(key: string): void {
    failures.delete(key);
    const pending = delayed.get(key);
    if (pending) { timers.clearTimeout(pending.handle); delayed.delete(key); }
    if (dirty.delete(key)) {
      const index = ready.indexOf(key);
      if (index >= 0) ready.splice(index, 1);
    }
    checkIdle();
  }

  /** Starts work on a microtask, so adds made in one synchronous burst coalesce before any runs. */
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    queueMicrotask(() => { pumpScheduled = false; pump(); });
  }

  function pump(): void {
    while (!closed && running.size < concurrency && ready.length > 0) {
      const key = ready.shift()!;
      dirty.delete(key);
      running.set(key, run(key));
    }
    checkIdle();
  }

  async function run(key: string): Promise<void> {
    let retryInMs: number | undefined;
    try {
      const result = await handler(key);
      failures.delete(key);
      if (result && typeof result.requeueAfterMs === 'number') retryInMs = result.requeueAfterMs;
    } catch (error) {
      const count = (failures.get(key) ?? 0) + 1;
      failures.set(key, count);
      retryInMs = retryDelay(count);
      logger.warn({ key, failures: count, retryInMs, err: (error as Error)?.message ?? String(error) }, 'work item failed; retrying with backoff');
    } finally {
      running.delete(key);
    }
    if (retryInMs !== undefined) addAfter(key, retryInMs);
    if (!closed && dirty.has(key)) ready.push(key);
    pump();
  }

  function retryDelay(count: number): number {
    const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (count - 1));
    return Math.round(exponential * (1 + JITTER * (2 * random() - 1)));
  }

  function checkIdle(): void {
    if (ready.length > 0 || running.size > 0 || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    add,
    addAfter,
    forget,
    async shutdown() {
      closed = true;
      for (const { handle } of delayed.values()) timers.clearTimeout(handle);
      delayed.clear();
      ready.length = 0;
      dirty.clear();
      await Promise.all(running.values());
      checkIdle();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    get length() { return ready.length; },
  };
}
