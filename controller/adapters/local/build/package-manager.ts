/**
 * Which package manager installs a Node.js app, decided by its lockfile as Heroku's
 * Node.js buildpack does, which version of it, and the exact argv of each step. Every step is an argv
 * array, never a shell string: nothing from the app reaches a shell here.
 */
import { delimiter, join } from 'node:path';
import { fetchPackageManager } from './fetch-package-manager.ts';
import { fileExists } from './file-exists.ts';
import { findExecutable } from './find-executable.ts';
import { declaredVersion, lockfileVersion } from './manager-version.ts';
import type { StepContext } from './node-build.ts';
import type { PackageJson } from './read-package-json.ts';
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

/** yarn 1 ("classic"), or yarn 2+ with its own flags: --immutable, and no --production (it installs everything). */
const yarn = (berry: boolean): PackageManager => ({
  name: 'yarn',
  lockfile: 'yarn.lock',
  install: berry
    ? () => ['yarn', 'install', '--immutable']
    : (withDev) => ['yarn', 'install', '--frozen-lockfile', '--non-interactive', `--production=${withDev ? 'false' : 'true'}`],
  run: (script) => ['yarn', 'run', script],
});

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
  if (await fileExists(join(dir, 'yarn.lock'))) return yarn(false);
  if (await fileExists(join(dir, 'pnpm-lock.yaml'))) return pnpm;
  return npm(undefined);
}

/**
 * Makes the manager runnable and says how: npm must be on PATH; yarn and pnpm are the
 * version package.json's `packageManager` declares, else the one on PATH, else the
 * version the lockfile implies — fetched from the npm registry into the server's cache
 * (fetch-package-manager.ts). Sets the manager's cache folders (under the data folder)
 * and PATH in `context.env` for every later step. Returns the manager to use.
 */
export async function preparePackageManager(context: StepContext, manager: PackageManager, pkg: PackageJson): Promise<PackageManager> {
  const path = context.env.PATH ?? '';
  if (manager.name === 'npm') {
    if ((await findExecutable('npm', path)) !== undefined) return manager;
    const because = manager.lockfile === undefined ? 'package.json needs installing' : `${manager.lockfile} asks for npm`;
    throw stageFailed(`${because}, but npm is not installed on the Slipway server (searched PATH: ${path}); install Node.js with npm there, or give the server a PATH that holds npm`, { packageManager: 'npm' });
  }
  const lockfile = manager.lockfile as 'yarn.lock' | 'pnpm-lock.yaml';
  const declared = declaredVersion(manager.name, pkg.packageManager);
  const inferred = await lockfileVersion(context.dir, lockfile);
  const onPath = await findExecutable(manager.name, path);
  const wanted = declared ?? (onPath === undefined ? inferred : undefined);
  let berry = (declared ?? inferred).berry;
  if (wanted === undefined) {
    context.log.system(`using ${manager.name} from the server's PATH (${onPath})`, 'setup');
  } else {
    try {
      const bin = await fetchPackageManager(context, context.cacheDir, wanted);
      context.env.PATH = `${bin}${delimiter}${path}`;
      context.log.system(`using ${manager.name} ${wanted.version} (${wanted.from})`, 'setup');
    } catch (error) {
      if (onPath === undefined) {
        throw stageFailed(
          `${wanted.from} asks for ${manager.name} ${wanted.version}, which is not installed on the Slipway server and could not be fetched from the npm registry ` +
            `(${(error as Error).message}); check the server's registry, proxy and CA settings (docs/local-build.md), or install ${manager.name} on the server's PATH`,
          { packageManager: manager.name, version: wanted.version }, error,
        );
      }
      context.log.system(`could not fetch ${manager.name} ${wanted.version} (${wanted.from}); using ${onPath} instead`, 'setup');
      berry = inferred.berry;
    }
  }
  Object.assign(context.env, managerEnv(manager.name, berry, context.cacheDir, context.env));
  return manager.name === 'yarn' ? yarn(berry) : manager;
}

/** Cache folders under the server's build cache (the app's own settings win), and no update checks. */
function managerEnv(name: 'yarn' | 'pnpm', berry: boolean, cacheDir: string, env: Record<string, string>): Record<string, string> {
  const set: Record<string, string> = name === 'pnpm'
    ? { npm_config_store_dir: join(cacheDir, 'pnpm', 'store'), npm_config_cache_dir: join(cacheDir, 'pnpm', 'cache') }
    : berry
      // A project's own cacheFolder (zero-installs) stays its own: only the global folder moves.
      ? { YARN_GLOBAL_FOLDER: join(cacheDir, 'yarn-berry'), YARN_ENABLE_TELEMETRY: '0' }
      // yarn 1 run as root would otherwise write to /usr/local/share/.cache and .yarnrc there.
      : { YARN_CACHE_FOLDER: join(cacheDir, 'yarn'), YARN_DISABLE_SELF_UPDATE_CHECK: 'true' };
  return Object.fromEntries(Object.entries(set).filter(([key]) => env[key] === undefined));
}
