/**
 * The build's log: forwards output lines to the stage's sink until a byte budget is
 * spent, then says so once and drops the rest (the build keeps running — a chatty
 * build is not a failed one). It always keeps the last lines, so a failure can show
 * them even after the log was truncated. Every line is redacted first: build tools
 * print registry URLs, and those can carry tokens.
 */
import { redact } from '../../../../core/redact.ts';
import type { LogSink } from '../../../../core/ports/runtime.ts';

/** How many of the last output lines a failure reports. */
export const TAIL_LINES = 20;

/** A build's log. */
export interface BuildLog {
  /** A line of a command's output. */
  output(stream: 'stdout' | 'stderr', text: string, source: string): void;
  /** One of Slipway's own notes; never truncated. */
  system(text: string, source?: string): void;
  /** The last {@link TAIL_LINES} output lines, oldest first. */
  tail(): string[];
  /** Forget the tail (a new command starts). */
  clearTail(): void;
}

/** A {@link BuildLog} writing to `sink` with a budget of `maxBytes` of output text. */
export function createBuildLog(sink: LogSink, maxBytes: number): BuildLog {
  let forwarded = 0;
  let truncated = false;
  let last: string[] = [];
  return {
    output(stream, text, source) {
      // The tail keeps raw text and is redacted when read: a build printing megabytes
      // should not pay for redacting lines nobody will see.
      last.push(text);
      if (last.length > TAIL_LINES) last.shift();
      if (truncated) return;
      const clean = redact(text);
      forwarded += Buffer.byteLength(clean) + 1;
      if (forwarded > maxBytes) {
        truncated = true;
        sink({ stream: 'system', source, text: `output truncated after ${maxBytes} bytes; the build keeps running` });
        return;
      }
      sink({ stream, source, text: clean });
    },
    system(text, source) {
      sink({ stream: 'system', text: redact(text), ...(source === undefined ? {} : { source }) });
    },
    tail: () => last.map(redact),
    clearTail() {
      last = [];
    },
  };
}
