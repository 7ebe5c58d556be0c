/**
 * The environment of build steps and of the app. Builds see the app's own environment
 * (as on Heroku, config vars are visible to the build) plus what makes them
 * deterministic and quiet on a server: CI=true, NODE_ENV=production unless the app sets
 * them, the server's chosen node first on PATH, and a HOME inside the release so
 * dotfiles a build writes never land in the server's own home. From the server's own
 * environment only the proxy, CA and package-manager settings pass (pass-through-env.ts),
 * with the machine's npm config files (npm-config-env.ts); npm's cache is one folder per
 * server under the data folder, shared by every build.
 */
import { delimiter, join } from 'node:path';
import { npmConfigEnv } from './npm-config-env.ts';
import { passThroughEnv } from './pass-through-env.ts';
import { DEFAULT_BASE_PATH, type BuildOptions } from './release-plan.ts';

/** Where build steps get their HOME, relative to the release dir. */
export const BUILD_HOME = '.slipway/home';

/** PATH for build steps: `nodeBinDir`, then the app's PATH or the caller's base PATH. */
export function buildPath(options: Pick<BuildOptions, 'env' | 'nodeBinDir' | 'basePath'>): string {
  return [options.nodeBinDir, options.env.PATH ?? options.basePath ?? DEFAULT_BASE_PATH].join(delimiter);
}

/** The folder of the caches builds share: `options.cacheDir`, else one inside the release. */
export function buildCacheDir(options: Pick<BuildOptions, 'dir' | 'cacheDir'>): string {
  return options.cacheDir ?? join(options.dir, '.slipway', 'cache');
}

/** The environment a build step runs with. */
export async function buildEnv(options: BuildOptions): Promise<Record<string, string>> {
  const serverEnv = options.serverEnv ?? {};
  return {
    ...passThroughEnv(serverEnv, options.extraPassEnv),
    ...(await npmConfigEnv(serverEnv, options.basePath ?? DEFAULT_BASE_PATH)),
    npm_config_cache: join(buildCacheDir(options), 'npm'),
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
