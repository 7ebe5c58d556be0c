/**
 * The queue of watch checks: one key per app, bounded concurrency, coalescing. A
 * check waiting for a slot absorbs new requests for the same app; a request that
 * arrives while the app's check runs makes exactly one more check run after it (the
 * branch may have moved after the running check listed the refs). So a hundred
 * deliveries of one push cost one or two ref listings, never a hundred.
 */

/** Why a check runs; the strongest reason of the requests it absorbed wins. */
export type CheckReason = 'poll' | 'webhook' | 'manual';

const STRENGTH: Record<CheckReason, number> = { poll: 0, webhook: 1, manual: 2 };
const stronger = (a: CheckReason | undefined, b: CheckReason): CheckReason => (a && STRENGTH[a] >= STRENGTH[b] ? a : b);

interface Slot {
  running: boolean;
  reason: CheckReason;
  /** A request that arrived while running: the reason of the follow-up check. */
  again?: CheckReason;
  waiters: (() => void)[];
  nextWaiters: (() => void)[];
}

/** Settings of {@link createCheckQueue}. */
export interface CheckQueueOptions {
  concurrency: number;
  /** Apps waiting for a slot beyond which new requests are refused. */
  maxQueued: number;
  /** Runs one check; it must not throw (errors are passed to `onError` if it does). */
  work: (key: string, reason: CheckReason) => Promise<void>;
  onError: (key: string, error: unknown) => void;
}

/** Creates a coalescing queue with bounded concurrency. */
export function createCheckQueue(options: CheckQueueOptions) {
  const slots = new Map<string, Slot>();
  let waiting: string[] = [];
  let head = 0;
  let active = 0;
  let idleWaiters: (() => void)[] = [];

  function pump(): void {
    while (active < options.concurrency && head < waiting.length) {
      const key = waiting[head++]!;
      if (head > 1024 && head * 2 > waiting.length) {
        waiting = waiting.slice(head);
        head = 0;
      }
      const slot = slots.get(key)!;
      slot.running = true;
      active += 1;
      options.work(key, slot.reason)
        .catch((error) => options.onError(key, error))
        .finally(() => finish(key, slot));
    }
    if (active === 0 && slots.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  function finish(key: string, slot: Slot): void {
    active -= 1;
    for (const resolve of slot.waiters) resolve();
    if (slot.again) {
      Object.assign(slot, { running: false, reason: slot.again, again: undefined, waiters: slot.nextWaiters, nextWaiters: [] });
      waiting.push(key);
    } else {
      slots.delete(key);
    }
    pump();
  }

  return {
    /**
     * Asks for a check of `key`. Resolves when a check that started after this call has
     * finished; undefined (nothing queued) when `maxQueued` apps already wait.
     */
    add(key: string, reason: CheckReason): Promise<void> | undefined {
      const slot = slots.get(key);
      if (slot) {
        return new Promise<void>((resolve) => {
          if (slot.running) {
            slot.again = stronger(slot.again, reason);
            slot.nextWaiters.push(resolve);
          } else {
            slot.reason = stronger(slot.reason, reason);
            slot.waiters.push(resolve);
          }
        });
      }
      if (waiting.length - head >= options.maxQueued) return undefined;
      const created: Slot = { running: false, reason, waiters: [], nextWaiters: [] };
      const done = new Promise<void>((resolve) => created.waiters.push(resolve));
      slots.set(key, created);
      waiting.push(key);
      pump();
      return done;
    },

    /** Apps with a check waiting for a slot. */
    queued(): number {
      return waiting.length - head;
    },

    /** Resolves when no check is waiting or running. */
    /** Apps with a check waiting or running. */
    size: () => slots.size,

    idle(): Promise<void> {
      if (slots.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/** The queue's type. */
export type CheckQueue = ReturnType<typeof createCheckQueue>;
