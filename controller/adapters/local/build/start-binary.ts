/**
 * Which installed package a start command's program comes from, so a start command
 * whose program is a devDependency fails the stage with the fix (keep devDependencies,
 * or move the package) instead of `sh: ts-node: not found` at every instance start.
 */
import { readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PackageJson } from './read-package-json.ts';
import { stageFailed } from './stage-failed.ts';

/** The program a start command runs first: `ts-node` for `NODE_ENV=x exec ts-node src/a.ts`; undefined for paths and shell syntax it cannot read. */
export function startProgram(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  let index = 0;
  while (index < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index]!) || words[index] === 'exec')) index++;
  const program = words[index];
  return program !== undefined && /^[\w@.-]+$/.test(program) ? program : undefined;
}

/** The package that put `name` in `<dir>/node_modules/.bin`, or undefined when it is not there. */
export async function binOwner(dir: string, name: string): Promise<string | undefined> {
  const bin = join(dir, 'node_modules', '.bin');
  let target: string;
  try {
    target = resolve(bin, await readlink(join(bin, name)));
  } catch {
    return undefined;
  }
  // …/node_modules/<name>/… or …/node_modules/@scope/<name>/… (the last node_modules in the path).
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/[^]*$/.exec(target.slice(target.lastIndexOf('node_modules/')));
  return match?.[1] ?? name;
}

/** `stage_failed`: the start command's program is in a devDependency that the build does not keep. */
export function devOnlyStart(program: string, owner: string, pruned: boolean): Error {
  return stageFailed(
    `the start command runs "${program}", from the devDependency "${owner}", which ${pruned ? 'was removed after the build' : 'is not installed for running'} ` +
      `(devDependencies are only for building, as on Heroku); move "${owner}" to "dependencies" in package.json, ` +
      'or set NPM_CONFIG_PRODUCTION=false (yarn: YARN_PRODUCTION=false) in the app\'s environment to keep devDependencies',
    { file: 'package.json', program, package: owner },
  );
}

/** True when `program` names one of the app's devDependencies (and none of its dependencies). */
export function isDevDependency(pkg: PackageJson, program: string): boolean {
  return pkg.devDependencies.includes(program) && !pkg.dependencies.includes(program);
}
