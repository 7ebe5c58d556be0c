/**
 * A queue many producers push log lines into and one reader drains, with backpressure:
 * a producer waits while the reader is more than `high` lines behind, so a chatty pod
 * and a slow client cannot grow memory without bound.
 */
import type { LogLine } from '../../../../../core/ports/runtime.ts';

/** The queue's two ends. */
export interface LineQueue {
  /** Adds a line; resolves when there is room again. */
  push(line: LogLine): Promise<void>;
  /** Ends the reader once the queued lines are read. */
  close(): void;
  lines(): AsyncIterable<LogLine>;
}

/** Creates a queue that makes producers wait above `high` lines. */
export function createLineQueue(high = 1_000): LineQueue {
  const queued: LogLine[] = [];
  let closed = false;
  let readerWake: (() => void) | undefined;
  const roomWaiters: Array<() => void> = [];
  const wakeReader = () => { readerWake?.(); readerWake = undefined; };
  return {
    async push(line) {
      if (closed) return;
      queued.push(line);
      wakeReader();
      if (queued.length > high) await new Promise<void>((resolve) => roomWaiters.push(resolve));
    },
    close() {
      closed = true;
      wakeReader();
      for (const resolve of roomWaiters.splice(0)) resolve();
    },
    async *lines() {
      for (;;) {
        while (queued.length > 0) {
          const line = queued.shift()!;
          if (queued.length <= high / 2) for (const resolve of roomWaiters.splice(0)) resolve();
          yield line;
        }
        if (closed) return;
        await new Promise<void>((resolve) => { readerWake = resolve; });
      }
    },
  };
}
