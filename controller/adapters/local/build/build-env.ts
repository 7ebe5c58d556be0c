/**
 * The environment of build steps and of the app. Builds see the app's own environment
 * (as on Heroku, config vars are visible to the build) plus what makes them
 * deterministic and quiet on a server: CI=true, NODE_ENV=production unless the app sets
 * them, the server's chosen node first on PATH, and a HOME inside the release so caches
 * and dotfiles a build writes never land in the server's own home.
 */
import { delimiter, join } from 'node:path';
import { DEFAULT_BASE_PATH, type BuildOptions } from './release-plan.ts';

/** Where build steps get their HOME, relative to the release dir. */
export const BUILD_HOME = '.slipway/home';

/** PATH for build steps: `nodeBinDir`, then the app's PATH or the caller's base PATH. */
export function buildPath(options: Pick<BuildOptions, 'env' | 'nodeBinDir' | 'basePath'>): string {
  return [options.nodeBinDir, options.env.PATH ?? options.basePath ?? DEFAULT_BASE_PATH].join(delimiter);
}

/** The environment a build step runs with. */
export function buildEnv(options: BuildOptions): Record<string, string> {
  return {
    CI: 'true',
    NODE_ENV: 'production',
    // npm's update check is a registry round trip and a notice nobody on the server acts on.
    npm_config_update_notifier: 'false',
    ...options.env,
    PATH: buildPath(options),
    HOME: join(options.dir, BUILD_HOME),
  };
}

/** The extra environment the app runs with (`ReleasePlan.env`): meant to be applied over the app's own. */
export function appEnv(options: BuildOptions, withNodeModules: boolean): Record<string, string> {
  const path = buildPath(options);
  return {
    PATH: withNodeModules ? [join(options.dir, 'node_modules', '.bin'), path].join(delimiter) : path,
    ...(options.env.NODE_ENV === undefined ? { NODE_ENV: 'production' } : {}),
  };
}
