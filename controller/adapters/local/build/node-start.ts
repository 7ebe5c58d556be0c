/**
 * How a Node.js app starts. `scripts.start` runs through `/bin/sh -c` with
 * node_modules/.bin first on PATH (set in the plan's env) — what `npm start` does, minus
 * npm itself: npm would add a second process and ~300 ms of start-up to every instance
 * start, and the push-to-serving budget is 2 s. Without a start script, npm's own rule:
 * `npm start` runs `node server.js` when server.js exists. Then `main` when it names a
 * file (npm never starts `main`; `npm init` writes `"main": "index.js"` whether or not it
 * exists, so a missing one is not an error), then index.js and app.js.
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

/** Files started with node when package.json names no start script, after server.js and `main`, in order. */
export const DEFAULT_ENTRY_FILES = ['index.js', 'app.js'];

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
 * caller may then serve it as a static site).
 */
export async function resolveNodeStart(dir: string, pkg: PackageJson, nodeBin: string): Promise<NodeStart | undefined> {
  const start = pkg.scripts.start;
  if (start !== undefined) return { command: shellCommand(start), shows: start };
  const node = (file: string): NodeStart => ({ command: [nodeBin, file], shows: `node ${file}` });
  if (await fileExists(join(dir, 'server.js'))) return node('server.js');
  const main = pkg.main === undefined ? undefined : await resolveMain(dir, pkg.main);
  if (main !== undefined) return node(main);
  for (const file of DEFAULT_ENTRY_FILES) {
    if (await fileExists(join(dir, file))) return node(file);
  }
  return undefined;
}

/** What {@link noWayToStart} says was looked for. */
export function startLookedFor(pkg: PackageJson): string[] {
  return ['scripts.start', 'server.js', ...(pkg.main === undefined ? [] : [`main (${pkg.main})`]), ...DEFAULT_ENTRY_FILES];
}

/** `stage_failed`: nothing to start and no static site. */
export function noWayToStart(pkg: PackageJson, staticIndexes: string[], beforeInstall: boolean): Error {
  const main = pkg.main === undefined ? '' : `, "main" (${JSON.stringify(pkg.main)}: no such file)`;
  return stageFailed(
    `Node.js app has no way to start: package.json has no "scripts.start", and there is no server.js (what "npm start" runs without one)${main}, ` +
      `${DEFAULT_ENTRY_FILES.join(' or ')}, nor a static site (${staticIndexes.join(', ')})` +
      (beforeInstall ? ' — checked before installing, as no build script could make one' : '') +
      '; add a "start" script to package.json (e.g. "start": "node app.js") or a Procfile with a web: line',
    { file: 'package.json', lookedFor: [...startLookedFor(pkg), ...staticIndexes] },
  );
}

/** The file a start command that is only `node <file>` runs, if it is one. */
export function nodeStartFile(start: string): string | undefined {
  const match = /^node\s+([\w./-]+\.[cm]?js)$/.exec(start.trim());
  return match?.[1];
}
