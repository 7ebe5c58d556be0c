/**
 * A bounded, followable log: lines are kept (the last `capacity`), readers get what is
 * there and, with `follow`, every new line until the channel ends or they stop.
 * Used for staging logs (ends with the stage) and app logs (ends with the app).
 */
import type { LogLine, LogOptions } from '../../../core/ports/runtime.ts';

/** One log. */
export interface LogChannel {
  push(line: LogLine): void;
  end(): void;
  readonly ended: boolean;
  read(options: LogOptions): AsyncIterable<LogLine>;
}

/** Creates an empty channel keeping at most `capacity` lines. */
export function createLogChannel(capacity: number, initial: LogLine[] = []): LogChannel {
  const lines: LogLine[] = initial.slice(-capacity);
  let dropped = 0;
  let ended = false;
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const w of wakers) w();
    wakers.clear();
  };
  return {
    push(line) {
      if (ended) return;
      lines.push(line);
      if (lines.length > capacity) {
        lines.shift();
        dropped += 1;
      }
      wake();
    },
    end() {
      ended = true;
      wake();
    },
    get ended() { return ended; },
    async *read({ follow, tail, signal }) {
      // Absolute positions, so a reader keeps its place while old lines are dropped.
      let next = dropped + Math.max(0, lines.length - (tail ?? lines.length));
      for (;;) {
        while (next < dropped + lines.length) {
          if (signal?.aborted) return;
          yield lines[Math.max(0, next - dropped)]!;
          next = Math.max(next + 1, dropped);
        }
        if (!follow || ended || signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wakers.add(resolve);
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    },
  };
}
