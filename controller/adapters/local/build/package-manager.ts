/**
 * Which package manager installs a Node.js app, decided by its lockfile as Heroku's
 * Node.js buildpack does, and the exact argv of each step. Every step is an argv
 * array, never a shell string: nothing from the app reaches a shell here.
 */
import { join } from 'node:path';
import { fileExists } from './file-exists.ts';
import { findExecutable } from './find-executable.ts';
import { stageFailed } from './stage-failed.ts';

/** The commands of one package manager for one app. */
export interface PackageManager {
  name: 'npm' | 'yarn' | 'pnpm';
  /** The lockfile that chose it; undefined for npm without a lockfile. */
  lockfile?: string;
  /** Install; `withDev` also installs devDependencies (needed when a build script runs). */
  install(withDev: boolean): string[];
  /** Runs a package.json script (the manager adds node_modules/.bin to PATH). */
  run(script: string): string[];
  /** Removes devDependencies after a build, when the manager can. */
  prune?: string[];
}

// npm's audit and funding notices each cost a registry round trip and say nothing
// about whether the build worked.
const NPM_QUIET = ['--no-audit', '--no-fund'];

const npm = (lockfile: string | undefined): PackageManager => ({
  name: 'npm',
  ...(lockfile === undefined ? {} : { lockfile }),
  // Explicit --include/--omit: NODE_ENV=production alone would make npm skip devDependencies.
  install: (withDev) => ['npm', lockfile === undefined ? 'install' : 'ci', withDev ? '--include=dev' : '--omit=dev', ...NPM_QUIET],
  run: (script) => ['npm', 'run', script],
  prune: ['npm', 'prune', '--omit=dev', ...NPM_QUIET],
});

const yarn: PackageManager = {
  name: 'yarn',
  lockfile: 'yarn.lock',
  install: (withDev) => ['yarn', 'install', '--frozen-lockfile', '--non-interactive', `--production=${withDev ? 'false' : 'true'}`],
  run: (script) => ['yarn', 'run', script],
};

const pnpm: PackageManager = {
  name: 'pnpm',
  lockfile: 'pnpm-lock.yaml',
  install: (withDev) => ['pnpm', 'install', '--frozen-lockfile', `--prod=${withDev ? 'false' : 'true'}`],
  run: (script) => ['pnpm', 'run', script],
  prune: ['pnpm', 'prune', '--prod'],
};

/** The package manager `dir`'s lockfile asks for (npm when there is none). */
export async function choosePackageManager(dir: string): Promise<PackageManager> {
  for (const lockfile of ['package-lock.json', 'npm-shrinkwrap.json']) {
    if (await fileExists(join(dir, lockfile))) return npm(lockfile);
  }
  if (await fileExists(join(dir, 'yarn.lock'))) return yarn;
  if (await fileExists(join(dir, 'pnpm-lock.yaml'))) return pnpm;
  return npm(undefined);
}

/**
 * Checks the manager is installed on `path`. Corepack is not used on purpose: it
 * downloads the manager on first use, which a server without network cannot do and
 * which would make the first build of every app slow and fragile.
 */
export async function requirePackageManager(manager: PackageManager, path: string): Promise<void> {
  if ((await findExecutable(manager.name, path)) !== undefined) return;
  const because = manager.lockfile === undefined ? 'package.json needs installing' : `${manager.lockfile} asks for ${manager.name}`;
  throw stageFailed(
    `${because}, but ${manager.name} is not installed on the Slipway server (searched PATH: ${path}); ` +
      (manager.name === 'npm'
        ? 'install Node.js with npm there, or give the server a PATH that holds npm'
        : `install ${manager.name} there (e.g. "npm install -g ${manager.name}" or "corepack enable"), or commit a package-lock.json instead`),
    { packageManager: manager.name },
  );
}
