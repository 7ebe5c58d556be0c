/**
 * Removes a file or folder and says how much it held, for the start-up clean-up's log.
 * Symbolic links are counted and removed as links, never followed.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** What a clean-up removed: entries and the bytes of the files among them. */
export interface Removed {
  count: number;
  bytes: number;
}

async function sizeOf(path: string): Promise<number> {
  const stats = await lstat(path);
  if (!stats.isDirectory()) return stats.isFile() ? stats.size : 0;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name)).catch(() => 0);
  return total;
}

/** Removes `path` (recursively) and returns its size; a path already gone counts nothing. */
export async function removeCounting(path: string): Promise<Removed> {
  let bytes: number;
  try {
    bytes = await sizeOf(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { count: 0, bytes: 0 };
    throw error;
  }
  await rm(path, { recursive: true, force: true });
  return { count: 1, bytes };
}

/** Adds up several {@link Removed}. */
export function sumRemoved(parts: Removed[]): Removed {
  return parts.reduce((a, b) => ({ count: a.count + b.count, bytes: a.bytes + b.bytes }), { count: 0, bytes: 0 });
}
