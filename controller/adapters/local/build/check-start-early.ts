/**
 * Fails a Node.js app that cannot start before anything is installed: an install of a
 * real app takes tens of seconds, and the answer — no start script, no server.js, a
 * start script running a file that is not there — is known from the source alone.
 * Only when nothing the app runs during the build could still make the missing file.
 */
import { join } from 'node:path';
import { findStaticRoot, STATIC_ROOTS } from './detect-app.ts';
import { fileExists } from './file-exists.ts';
import { nodeStartFile, noWayToStart, resolveNodeStart } from './node-start.ts';
import type { PackageJson } from './read-package-json.ts';
import { stageFailed } from './stage-failed.ts';

/** Scripts of the app that run during install or build and may write the file it starts. */
const MAKING_SCRIPTS = ['build', 'heroku-postbuild', 'preinstall', 'install', 'postinstall', 'prepare'];

/** Throws `stage_failed` when the app in `dir` certainly has no way to start; otherwise does nothing. */
export async function checkStartEarly(dir: string, pkg: PackageJson): Promise<void> {
  if (MAKING_SCRIPTS.some((name) => pkg.scripts[name] !== undefined)) return;
  const start = pkg.scripts.start;
  if (start !== undefined) {
    const file = nodeStartFile(start);
    if (file === undefined || (await fileExists(join(dir, file)))) return;
    throw stageFailed(
      `package.json "scripts.start" is ${JSON.stringify(start)}, but ${file} does not exist and no build script makes it ` +
        '(checked before installing); commit the file or correct the start script',
      { file: 'package.json', start, missing: file },
    );
  }
  if ((await resolveNodeStart(dir, pkg, 'node')) !== undefined || (await findStaticRoot(dir)) !== undefined) return;
  throw noWayToStart(pkg, STATIC_ROOTS.map((root) => root.index), true);
}
