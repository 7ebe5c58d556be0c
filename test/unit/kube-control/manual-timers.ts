/** Timers a test advances by hand: `advance(ms)` fires what is due, in order. */
import type { Timers } from '../../../controller/adapters/kube/control/timers.ts';

/** Fake {@link Timers} plus `advance` and a view of what is pending. */
export interface ManualTimers extends Timers {
  /** Moves the clock forward by `ms`, firing due timers in time order (and letting their promises settle). */
  advance(ms: number): Promise<void>;
  /** Delays of the pending timers, measured from now, ascending. */
  pending(): number[];
}

/** Creates {@link ManualTimers} starting at time 0. */
export function createManualTimers(): ManualTimers {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const settle = async () => { for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve)); };
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) { timers.delete(handle as number); },
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
        await settle();
      }
      now = until;
      await settle();
    },
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
  };
}
