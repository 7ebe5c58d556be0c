/**
 * Which kind of app a source tree is, with Heroku's precedence: a Procfile's `web:`
 * line names the start command (and a package.json next to it is still installed and
 * built), then package.json makes a Node.js app, then go.mod a Go app (its web process is
 * the module's binary), then an index.html makes a static site.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileExists } from './file-exists.ts';
import { procfileWebCommand } from './procfile.ts';
import { readPackageJson, type PackageJson } from './read-package-json.ts';
import { NOTHING_SUPPORTED, stageFailed } from './stage-failed.ts';

/** What {@link detectApp} found. */
export type Detection =
  | { kind: 'procfile'; web: string; packageJson?: PackageJson }
  | { kind: 'node'; packageJson: PackageJson }
  | { kind: 'go' }
  | { kind: 'static'; staticRoot: string };

/** Where a static site's index.html is looked for, in order, and the folder served for each. */
export const STATIC_ROOTS: ReadonlyArray<{ index: string; root: string }> = [
  { index: 'index.html', root: '.' },
  { index: 'public/index.html', root: 'public' },
  { index: 'dist/index.html', root: 'dist' },
];

/** The first static root of `dir` that holds an index.html, if any. */
export async function findStaticRoot(dir: string): Promise<string | undefined> {
  for (const { index, root } of STATIC_ROOTS) {
    if (await fileExists(join(dir, index))) return root;
  }
  return undefined;
}

/** Detects the kind of app in `dir`; nothing supported → `stage_failed` listing what was looked for. */
export async function detectApp(dir: string): Promise<Detection> {
  const hasPackageJson = await fileExists(join(dir, 'package.json'));
  if (await fileExists(join(dir, 'Procfile'))) {
    const web = procfileWebCommand(await readFile(join(dir, 'Procfile'), 'utf8'));
    return hasPackageJson ? { kind: 'procfile', web, packageJson: await readPackageJson(dir) } : { kind: 'procfile', web };
  }
  if (hasPackageJson) return { kind: 'node', packageJson: await readPackageJson(dir) };
  if (await fileExists(join(dir, 'go.mod'))) return { kind: 'go' };
  const staticRoot = await findStaticRoot(dir);
  if (staticRoot !== undefined) return { kind: 'static', staticRoot };
  throw stageFailed(NOTHING_SUPPORTED, { lookedFor: ['Procfile (web:)', 'package.json', 'go.mod', ...STATIC_ROOTS.map((s) => s.index)] });
}
