/**
 * Which of the server's own environment variables a build sees. Builds otherwise see
 * only the app's environment (as on Heroku), but a machine whose network needs a proxy
 * or re-signs TLS tells npm, yarn and pnpm so through its environment: without these a
 * build fails after minutes of retries with `SELF_SIGNED_CERT_IN_CHAIN` (issue 16).
 * The list is documented in docs/local-build.md; `SLIPWAY_BUILD_PASS_ENV` adds more.
 */

/**
 * Passed through by default: exact names, or prefixes ending in `*` (matched without
 * regard to case, as npm and yarn read their `npm_config_*` / `yarn_*` variables).
 */
export const DEFAULT_PASS_ENV: readonly string[] = [
  // proxies (curl's and npm's spellings)
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY',
  // certificate authorities: Node, OpenSSL and git (git dependencies over https)
  'NODE_EXTRA_CA_CERTS', 'NODE_USE_SYSTEM_CA', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO',
  // package managers' own settings (registry, cafile, proxy, auth tokens)
  'npm_config_*', 'YARN_*', 'pnpm_config_*',
];

/**
 * `npm_config_*` values npm itself exports when it runs the server (`npm start`, `npx`):
 * they describe the Slipway checkout, not the machine, and would point a build's npm at
 * Slipway's own folder. The cache is always the server's shared one (build-env.ts).
 */
const NPM_OWN_EXPORTS = new Set(['local_prefix', 'global_prefix', 'prefix', 'user_agent', 'npm_version', 'cache']);

const matches = (pattern: string, name: string): boolean =>
  pattern.endsWith('*')
    ? name.toLowerCase().startsWith(pattern.slice(0, -1).toLowerCase())
    : name.toLowerCase() === pattern.toLowerCase();

/** The part of `serverEnv` a build sees: names matching {@link DEFAULT_PASS_ENV} or `extra`, minus npm's own exports. */
export function passThroughEnv(serverEnv: Record<string, string | undefined>, extra: readonly string[] = []): Record<string, string> {
  const patterns = [...DEFAULT_PASS_ENV, ...extra];
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(serverEnv)) {
    if (value === undefined || !patterns.some((pattern) => matches(pattern, name))) continue;
    const npmKey = /^npm_config_(.*)$/i.exec(name)?.[1]?.toLowerCase().replaceAll('-', '_');
    if (npmKey !== undefined && NPM_OWN_EXPORTS.has(npmKey)) continue;
    passed[name] = value;
  }
  return passed;
}
