/**
 * Turns an app's raw output into log lines, with a cap: an app printing megabytes must
 * not exhaust the server's memory or flood the log store. Lines are cut at
 * `MAX_LINE_CHARS`; a token bucket limits bytes per second across stdout and stderr;
 * what is over the limit is dropped and one `system` line says how much.
 */
import type { Readable } from 'node:stream';
import type { LogSink } from '../../../../core/ports/runtime.ts';
import { isErrorLine } from './error-line.ts';

/** Longest line kept; longer ones are cut (a minified bundle printed on one line). */
export const MAX_LINE_CHARS = 8192;
/** Lines kept for error messages ("exited with code 1: <last lines>"). */
export const TAIL_LINES = 30;

/** Options for {@link createOutputLines}. */
export interface OutputLinesOptions {
  source: string;
  log: LogSink;
  /** Sustained bytes per second passed to `log`; bursts up to the same amount. Default 1 MiB. */
  maxBytesPerSecond?: number;
  now?: () => number;
}

/** A line reader for one process: attach its streams, read the recent lines. */
export interface OutputLines {
  attach(stream: Readable, name: 'stdout' | 'stderr'): void;
  /** The last {@link TAIL_LINES} lines, dropped ones included (the end of a crash matters most). */
  tail(): string[];
  /** The first line that read as an error (see error-line.ts), however long ago; a crash's cause is often above its tail. */
  firstError(): string | undefined;
  /** Flushes unterminated lines and the drop note; call once both streams ended. */
  finish(): void;
}

/** Creates the line reader of one process. */
export function createOutputLines(options: OutputLinesOptions): OutputLines {
  const rate = options.maxBytesPerSecond ?? 1024 * 1024;
  const now = options.now ?? Date.now;
  const recent: string[] = [];
  const partial = { stdout: '', stderr: '' };
  let tokens = rate;
  let refilledAt = now();
  let dropped = 0;
  let firstError: string | undefined;

  const noteDrops = () => {
    if (dropped === 0) return;
    options.log({ stream: 'system', source: options.source, text: `output over ${rate} bytes/s: ${dropped} bytes dropped` });
    dropped = 0;
  };

  const emit = (stream: 'stdout' | 'stderr', text: string) => {
    recent.push(text);
    if (firstError === undefined && isErrorLine(text)) firstError = text.trim();
    if (recent.length > TAIL_LINES) recent.shift();
    const t = now();
    tokens = Math.min(rate, tokens + ((t - refilledAt) / 1000) * rate);
    refilledAt = t;
    const cost = text.length + 1;
    if (tokens < cost) {
      if (dropped === 0) options.log({ stream: 'system', source: options.source, text: `output over ${rate} bytes/s: dropping lines` });
      dropped += cost;
      return;
    }
    noteDrops();
    tokens -= cost;
    options.log({ stream, source: options.source, text });
  };

  const take = (stream: 'stdout' | 'stderr', chunk: string) => {
    let buffer = partial[stream] + chunk;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      emit(stream, cut(buffer.slice(0, newline)));
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
    // An endless line without a newline is cut here, so the buffer never grows past the cap.
    while (buffer.length > MAX_LINE_CHARS) {
      emit(stream, buffer.slice(0, MAX_LINE_CHARS));
      buffer = buffer.slice(MAX_LINE_CHARS);
    }
    partial[stream] = buffer;
  };

  return {
    attach(stream, name) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => take(name, chunk));
    },
    tail: () => [...recent],
    firstError: () => firstError,
    finish() {
      for (const name of ['stdout', 'stderr'] as const) {
        if (partial[name]) emit(name, partial[name]);
        partial[name] = '';
      }
      noteDrops();
    },
  };
}

function cut(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  return trimmed.length > MAX_LINE_CHARS ? trimmed.slice(0, MAX_LINE_CHARS) : trimmed;
}
