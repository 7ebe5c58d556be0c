/**
 * How many bytes a release folder holds, for `app releases`: the sum of its files'
 * sizes (symlinks count as themselves, never their targets, so a `node_modules` link
 * to a shared store is not counted twice). Sizes, not allocated blocks: the figure
 * should not depend on the file system the data folder happens to be on.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Total size in bytes of the files under `dir`; 0 when it does not exist. */
export async function directorySize(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(path);
    else total += (await lstat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
