/**
 * Staging logs of the local runtime: live in memory while a stage runs (followers see
 * each line as it comes), appended to `<dir>/<ns>/<stageId>.ndjson` so they are kept
 * after it ends and across restarts.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine, LogOptions, LogSink } from '../../../core/ports/runtime.ts';
import { createLogChannel, type LogChannel } from './log-channel.ts';

/** Lines kept in memory per running stage (the build log itself is capped at ~1 MiB). */
const CAPACITY = 20_000;

/** Creates the staging log store under `dir`. */
export function createStagingLogs(dir: string) {
  const active = new Map<string, { channel: LogChannel; file: Promise<WriteStream> }>();
  const key = (ns: string, id: string) => `${ns}/${id}`;
  const path = (ns: string, id: string) => join(dir, ns, `${id}.ndjson`);

  return {
    /** Starts the log of a stage and returns the sink its build writes to. */
    open(namespace: string, stageId: string): LogSink {
      const channel = createLogChannel(CAPACITY);
      // Writes chain on this promise, so they land in order once the file is open.
      const file = mkdir(join(dir, namespace), { recursive: true }).then(() => {
        const stream = createWriteStream(path(namespace, stageId), { flags: 'w' });
        stream.on('error', () => {});
        return stream;
      });
      active.set(key(namespace, stageId), { channel, file });
      return (line) => {
        const full: LogLine = { time: new Date().toISOString(), ...line };
        channel.push(full);
        void file.then((f) => f.write(`${JSON.stringify(full)}\n`));
      };
    },
    /** Ends the stage's log; followers finish. */
    async close(namespace: string, stageId: string, phase: 'succeeded' | 'failed'): Promise<void> {
      const entry = active.get(key(namespace, stageId));
      if (!entry) return;
      const last: LogLine = { time: new Date().toISOString(), stream: 'system', text: `stage ${phase}` };
      entry.channel.push(last);
      const file = await entry.file;
      file.write(`${JSON.stringify(last)}\n`);
      await new Promise<void>((resolve) => file.end(() => resolve()));
      entry.channel.end();
      // Late followers read the file from now on.
      active.delete(key(namespace, stageId));
    },
    /** The stage's lines; follows a running stage until it ends. Unknown stages read as empty. */
    async *read(namespace: string, stageId: string, options: LogOptions): AsyncIterable<LogLine> {
      const entry = active.get(key(namespace, stageId));
      if (entry) {
        yield* entry.channel.read(options);
        return;
      }
      const text = await readFile(path(namespace, stageId), 'utf8').catch(() => '');
      const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
      yield* options.tail === undefined ? lines : lines.slice(Math.max(0, lines.length - options.tail));
    },
  };
}
