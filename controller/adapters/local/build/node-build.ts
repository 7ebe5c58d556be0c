/**
 * Installs and builds a Node.js app in place. An app with no dependencies and no
 * build script runs nothing at all — that is what keeps staging a small app in the
 * milliseconds. With a build script, devDependencies are installed too (bundlers and
 * compilers live there), and pruned again after the build when the manager can.
 */
import { mkdir } from 'node:fs/promises';
import type { BuildLog } from './build-log.ts';
import { choosePackageManager, preparePackageManager, type PackageManager } from './package-manager.ts';
import type { PackageJson } from './read-package-json.ts';
import { runBuildCommand } from './run-build-command.ts';
import { findExecutable } from './find-executable.ts';
import { binOwner, devOnlyStart, isDevDependency, startProgram } from './start-binary.ts';
import type { TrackProcess } from '../run/process-records.ts';

/** Where and how build steps run. */
export interface StepContext {
  dir: string;
  /** The build's environment; preparing the package manager adds its PATH and cache folders. */
  env: Record<string, string>;
  /** The folder of caches shared by this server's builds (build-env.ts buildCacheDir). */
  cacheDir: string;
  log: BuildLog;
  deadline: number;
  timeoutMs: number;
  signal?: AbortSignal;
  track?: TrackProcess;
}

/** What {@link runNodeBuild} did, for the plan's description; `prune` is left for after the start is known. */
export interface NodeBuildResult {
  /** e.g. ["npm ci", "build script"], or ["no dependencies"]. */
  labels: string[];
  ranBuild: boolean;
  /** devDependencies were installed (for a build, or kept on request). */
  installedDev: boolean;
  /** Run with {@link pruneDevDependencies} when the app will run as a Node.js process. */
  prune?: string[];
}

/** Installs (when there is anything to install) and runs `scripts.build` (when there is one). */
export async function runNodeBuild(context: StepContext, pkg: PackageJson): Promise<NodeBuildResult> {
  const needsInstall = pkg.dependencyCount + pkg.devDependencyCount > 0;
  const hasBuild = pkg.scripts.build !== undefined;
  if (!needsInstall && !hasBuild) {
    context.log.system('package.json has no dependencies and no build script: nothing to install or build', 'detect');
    return { labels: ['no dependencies'], ranBuild: false, installedDev: false };
  }
  // HOME (inside the release) must exist before npm writes its cache there.
  if (context.env.HOME !== undefined) await mkdir(context.env.HOME, { recursive: true });
  const manager: PackageManager = await preparePackageManager(context, await choosePackageManager(context.dir), pkg);
  context.log.system(
    `package manager: ${manager.name}${manager.lockfile === undefined ? ' (no lockfile)' : ` (${manager.lockfile})`}`,
    'detect',
  );
  const step = (argv: string[], source: string) => runBuildCommand({ ...context, cwd: context.dir, argv, source });
  const labels: string[] = [];
  const keepDev = keepsDevDependencies(context.env);
  if (needsInstall) {
    const install = manager.install(hasBuild || keepDev);
    await step(install, 'install');
    labels.push(install.slice(0, 2).join(' '));
  } else {
    context.log.system('package.json has no dependencies: skipping install', 'install');
    labels.push('no dependencies');
  }
  if (hasBuild) {
    await step(manager.run('build'), 'build');
    labels.push('build script');
  }
  if (keepDev && pkg.devDependencyCount > 0) labels.push('devDependencies kept');
  const prune = hasBuild && !keepDev && pkg.devDependencyCount > 0 ? manager.prune : undefined;
  return { labels, ranBuild: hasBuild, installedDev: needsInstall && (hasBuild || keepDev), ...(prune === undefined ? {} : { prune }) };
}

/** True when the environment asks to keep devDependencies (Heroku's NPM_CONFIG_PRODUCTION / YARN_PRODUCTION=false). */
export function keepsDevDependencies(env: Record<string, string>): boolean {
  return Object.entries(env).some(([name, value]) => /^(npm_config_production|yarn_production)$/i.test(name) && value.trim().toLowerCase() === 'false');
}

/**
 * Removes devDependencies after the build (they were only needed to build); fails when
 * that removed the program `startLine` runs, naming the package it came from.
 */
export async function pruneDevDependencies(context: StepContext, prune: string[], startLine?: string): Promise<void> {
  const program = startLine === undefined ? undefined : startProgram(startLine);
  const owner = program === undefined ? undefined : await binOwner(context.dir, program);
  await runBuildCommand({ ...context, cwd: context.dir, argv: prune, source: 'prune' });
  if (owner !== undefined && (await binOwner(context.dir, program!)) === undefined) throw devOnlyStart(program!, owner, true);
}

/**
 * Without a build, devDependencies were never installed: fails when the program
 * `startLine` runs is one of them and is nowhere else on the build's PATH.
 */
export async function checkStartInstalled(context: StepContext, pkg: PackageJson, built: NodeBuildResult, startLine: string): Promise<void> {
  const program = startProgram(startLine);
  if (program === undefined || built.installedDev || !isDevDependency(pkg, program)) return;
  if ((await binOwner(context.dir, program)) !== undefined || (await findExecutable(program, context.env.PATH ?? '')) !== undefined) return;
  throw devOnlyStart(program, program, false);
}
