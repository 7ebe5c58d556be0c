/**
 * Trims a built static site's release folder to what serves. A front-end build leaves
 * node_modules and the package manager's cache next to its output (141 MB for a small
 * Vite app), and releases are kept for rollback, so each would cost that many times.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Folders a build writes that never serve, removed when the site is the release folder itself. */
const BUILD_LEFTOVERS = ['node_modules', '.slipway', '.npm', '.cache', '.yarn/cache', '.pnpm-store'];

/**
 * Removes everything in `dir` but `root` (relative, `/`-separated) and the folders on
 * the way to it. With root `.` the sources are what serves, so only the build's
 * leftovers ({@link BUILD_LEFTOVERS}) go.
 */
export async function keepOnly(dir: string, root: string): Promise<void> {
  const segments = root.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0) {
    await Promise.all(BUILD_LEFTOVERS.map((name) => rm(join(dir, name), { recursive: true, force: true })));
    return;
  }
  let at = dir;
  for (const keep of segments) {
    for (const name of await readdir(at)) {
      if (name !== keep) await rm(join(at, name), { recursive: true, force: true });
    }
    at = join(at, keep);
  }
}
