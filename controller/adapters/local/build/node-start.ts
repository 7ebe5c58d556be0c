/**
 * How a Node.js app starts. `scripts.start` runs through `/bin/sh -c` with
 * node_modules/.bin first on PATH (set in the plan's env) — what `npm start` does, minus
 * npm itself: npm would add a second process and ~300 ms of start-up to every instance
 * start, and the push-to-serving budget is 2 s. Then `main`, then the files npm and
 * common hosts fall back to.
 */
import { join } from 'node:path';
import { fileExists } from './file-exists.ts';
import type { PackageJson } from './read-package-json.ts';
import { shellCommand } from './shell-command.ts';
import { stageFailed } from './stage-failed.ts';

/** A start command and how to show it. */
export interface NodeStart {
  command: string[];
  /** e.g. "node server.js" or the start script itself. */
  shows: string;
}

/** Files started with node when package.json names no start script and no main, in order. */
export const DEFAULT_ENTRY_FILES = ['server.js', 'index.js', 'app.js'];

/** What `require()` would load for `main`: the file itself, `.js` added, or its folder's index.js. */
async function resolveMain(dir: string, main: string): Promise<string | undefined> {
  const bare = main.replace(/^\.\//, '');
  for (const candidate of [bare, `${bare}.js`, `${bare}.mjs`, `${bare}.cjs`, join(bare, 'index.js')]) {
    if (await fileExists(join(dir, candidate))) return candidate;
  }
  return undefined;
}

/**
 * The start command of the Node.js app in `dir`, or undefined when it has none (the
 * caller may then serve it as a static site). A `main` naming a missing file fails.
 */
export async function resolveNodeStart(dir: string, pkg: PackageJson, nodeBin: string): Promise<NodeStart | undefined> {
  const start = pkg.scripts.start;
  if (start !== undefined) return { command: shellCommand(start), shows: start };
  if (pkg.main !== undefined) {
    const file = await resolveMain(dir, pkg.main);
    if (file === undefined) {
      throw stageFailed(`package.json "main" is ${JSON.stringify(pkg.main)}, but no such file exists after the build`, {
        file: 'package.json',
        main: pkg.main,
      });
    }
    return { command: [nodeBin, file], shows: `node ${file}` };
  }
  for (const file of DEFAULT_ENTRY_FILES) {
    if (await fileExists(join(dir, file))) return { command: [nodeBin, file], shows: `node ${file}` };
  }
  return undefined;
}
