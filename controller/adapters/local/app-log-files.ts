/**
 * App output kept on disk, per release, so `slipway app logs` still shows what an app
 * printed (a crash at start above all) after the server restarted (issue 16). Each
 * release appends to `<dir>/<ns>/<app>/<stageId>.ndjson`; past `maxBytes` that file
 * becomes `<stageId>.old.ndjson` (replacing the previous one) and a new one starts, so
 * a release keeps at most twice `maxBytes`. The files live in the data folder, outside
 * the release folder the app can write, and go when their release is pruned.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '../../../core/ports/runtime.ts';

/** Bytes a release's current log file may reach before it is rotated (default). */
export const RELEASE_LOG_BYTES = 1024 * 1024;

/** The log file of one running release. */
export interface ReleaseLogFile {
  write(line: LogLine): void;
  /** Flushes and closes; writes after it are dropped. */
  close(): Promise<void>;
}

/** The on-disk app logs of the local runtime. */
export interface AppLogFiles {
  /** Opens (appending) the log of a release. */
  open(namespace: string, app: string, stageId: string): ReleaseLogFile;
  /** About the last `limit` lines of the app's releases, oldest first, newest release files first read. */
  readRecent(namespace: string, app: string, limit: number): Promise<LogLine[]>;
  /** Removes the log of one release, or of the whole app. */
  remove(namespace: string, app: string, stageId?: string): Promise<void>;
}

/** Creates the app log store under `dir`. */
export function createAppLogFiles(dir: string, maxBytes = RELEASE_LOG_BYTES): AppLogFiles {
  const appDir = (ns: string, app: string) => join(dir, ns, app);
  const end = (stream: WriteStream) => new Promise<void>((resolve) => stream.end(() => resolve()));

  return {
    open(namespace, app, stageId) {
      const path = join(appDir(namespace, app), `${stageId}.ndjson`);
      const opened = () => {
        const stream = createWriteStream(path, { flags: 'a' });
        // A full disk must not crash the server; the lines are still in memory.
        stream.on('error', () => {});
        return stream;
      };
      let bytes = 0;
      let closed = false;
      // Every operation chains on this promise, so lines land in order and rotation never races a write.
      let file: Promise<WriteStream> = mkdir(appDir(namespace, app), { recursive: true })
        .then(() => stat(path).then((s) => { bytes = s.size; }, () => {}))
        .then(opened);
      return {
        write(line) {
          if (closed) return;
          const text = `${JSON.stringify(line)}\n`;
          bytes += Buffer.byteLength(text);
          if (bytes > maxBytes) {
            bytes = Buffer.byteLength(text);
            file = file.then(async (stream) => {
              await end(stream);
              await rename(path, join(appDir(namespace, app), `${stageId}.old.ndjson`)).catch(() => {});
              return opened();
            });
          }
          void file.then((stream) => stream.write(text));
        },
        async close() {
          if (closed) return;
          closed = true;
          await end(await file);
        },
      };
    },

    async readRecent(namespace, app, limit) {
      const folder = appDir(namespace, app);
      const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.endsWith('.ndjson'));
      const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(folder, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
      const lines: LogLine[] = [];
      // Newest files first, until there are enough lines: older releases only fill up the rest.
      for (const { name } of dated.sort((a, b) => b.mtime - a.mtime)) {
        if (lines.length >= limit) break;
        const text = await readFile(join(folder, name), 'utf8').catch(() => '');
        for (const row of text.split('\n')) {
          if (!row) continue;
          try {
            lines.push(JSON.parse(row) as LogLine);
          } catch {
            // A line cut by a crash mid-write.
          }
        }
      }
      // ISO times sort as strings; the sort is stable, so lines of one instance keep their order.
      return lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)).slice(-limit);
    },

    async remove(namespace, app, stageId) {
      if (stageId === undefined) return void (await rm(appDir(namespace, app), { recursive: true, force: true }));
      await rm(join(appDir(namespace, app), `${stageId}.ndjson`), { force: true });
      await rm(join(appDir(namespace, app), `${stageId}.old.ndjson`), { force: true });
    },
  };
}
