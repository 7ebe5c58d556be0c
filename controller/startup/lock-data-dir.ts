/**
 * One server per data folder (issue 13): a second `npm start` in the same checkout would
 * kill the first one's apps as "left over from a server that did not shut down", and on
 * another port both would run every app and poll the same repositories. So the server
 * takes `<data>/slipway.lock` before anything else touches the folder, and refuses to
 * start while the process named in it runs.
 *
 * The lock holds the pid and the process's start time (/proc/<pid>/stat field 22): a pid
 * is reused once its process is gone, the pair never is, so the lock of a server killed
 * with SIGKILL is taken over even when an unrelated process got its pid. The file is
 * written whole under a temp name and hard-linked into place, so creation is atomic and
 * nobody reads a half-written lock. Where there is no /proc (not Linux) the start time
 * is unknown and a live pid counts as the holder.
 */
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dataDirLocked } from '../../core/error-cases.ts';
import { isRunning, readProcStat } from '../adapters/local/run/proc-info.ts';

/** The lock file's name inside the data folder. */
export const LOCK_FILE = 'slipway.lock';

/** A held lock. */
export interface DataDirLock {
  /** Removes the lock file if it is still this process's (clean shutdown). */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  start: number | null;
}

async function readHolder(path: string): Promise<Holder | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  try {
    const value = JSON.parse(text ?? '') as Partial<Holder>;
    return Number.isInteger(value.pid) ? { pid: value.pid!, start: Number.isInteger(value.start) ? value.start! : null } : undefined;
  } catch {
    return undefined;
  }
}

async function alive(holder: Holder): Promise<boolean> {
  if (holder.start !== null) return isRunning(holder.pid, holder.start);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const same = (a: Holder | undefined, b: Holder | undefined) => a?.pid === b?.pid && a?.start === b?.start;
const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * Takes the data folder's lock (the folder must exist), or throws `data_dir_locked` naming
 * the pid that holds it and `shownDir`, the folder as the user configured it.
 */
export async function lockDataDir(dir: string, shownDir: string): Promise<DataDirLock> {
  const path = join(dir, LOCK_FILE);
  const own: Holder = { pid: process.pid, start: (await readProcStat(process.pid))?.start ?? null };
  // Named like writeFileAtomic's temp files, so the start-up clean-up removes one a crash left.
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      await writeFile(temp, `${JSON.stringify(own)}\n`);
      try {
        await link(temp, path);
        return { release: () => releaseLock(path, own) };
      } catch (error) {
        if (code(error) !== 'EEXIST') throw error;
      }
      const holder = await readHolder(path);
      if (holder && await alive(holder)) throw dataDirLocked(holder.pid, shownDir);
      // Stale (its process is gone) or unreadable. Moved aside rather than removed: of two
      // servers starting at once only one moves this file, and the other one, should it
      // move the lock the first just took, sees so and puts it back.
      const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
      try {
        await rename(path, aside);
      } catch (error) {
        if (code(error) === 'ENOENT') continue;
        throw error;
      }
      const moved = await readHolder(aside);
      if (!same(moved, holder) && moved && await alive(moved)) {
        await link(aside, path).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
        throw dataDirLocked(moved.pid, shownDir);
      }
      await unlink(aside).catch(() => undefined);
    }
    throw new Error(`could not take the lock ${path}: it kept changing`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function releaseLock(path: string, own: Holder): Promise<void> {
  if (same(await readHolder(path), own)) await unlink(path).catch(() => undefined);
}
