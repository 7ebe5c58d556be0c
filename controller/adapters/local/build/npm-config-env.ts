/**
 * Points a build's npm at the machine's npm configuration files. Two things would
 * otherwise hide them: a build's HOME is inside the release (so `~/.npmrc` is not the
 * server user's), and the server's node comes first on PATH, so npm derives its global
 * prefix — and `<prefix>/etc/npmrc`, where a machine keeps its `cafile` — from Slipway's
 * own node (inside Slipway's node_modules) instead of from the node npm came with.
 */
import { realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findExecutable } from './find-executable.ts';

// npm installed the usual way: <prefix>/bin/npm links to …/lib/node_modules/npm/bin/npm-cli.js,
// next to the node it came with, whose prefix npm would take (<prefix>/bin/node → <prefix>).
const GLOBAL_NPM = /\/lib\/node_modules\/npm\/bin\/npm-cli\.js$/;

/**
 * `npm_config_userconfig` (the server user's `~/.npmrc`) and `npm_config_globalconfig`
 * (`<prefix>/etc/npmrc` of the npm found on `basePath`), unless `serverEnv` sets them.
 */
export async function npmConfigEnv(serverEnv: Record<string, string | undefined>, basePath: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const has = (key: string) => Object.keys(serverEnv).some((name) => name.toLowerCase() === key);
  if (!has('npm_config_userconfig') && serverEnv.HOME) env.npm_config_userconfig = join(serverEnv.HOME, '.npmrc');
  if (!has('npm_config_globalconfig')) {
    const npm = await findExecutable('npm', basePath);
    if (npm !== undefined && GLOBAL_NPM.test(await realpath(npm).catch(() => npm))) {
      const prefix = dirname(await realpath(dirname(npm)));
      env.npm_config_globalconfig = join(prefix, 'etc', 'npmrc');
    }
  }
  return env;
}
