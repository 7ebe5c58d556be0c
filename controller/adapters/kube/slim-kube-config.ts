/**
 * client-node's `KubeConfig` without its model catalogue. `dist/config.js` imports two
 * names from `./gen/index.js` (`createConfiguration`, `ServerConfiguration`, used only by
 * `makeApiClient`), and that index re-exports every generated API and all ~2,700 models:
 * ~35 MiB of the controller's memory for classes Slipway never uses (it talks to the API
 * through kube-request.ts). A synchronous, in-thread resolve hook (`module.registerHooks`)
 * points config.js's import of `./gen/index.js` at a module that re-exports just those
 * two names from the files that define them, so credentials (in-cluster token, client
 * certificates, exec and OIDC plugins) stay client-node's own code.
 *
 * The same hook defers the auth-provider plugins (`oidc`, `azure`, `gcp`): config.js
 * builds one of each for every KubeConfig, and loading them costs ~2.7 MiB at idle
 * (openid-client, jsonpath-plus) that in-cluster, token, certificate and exec users never
 * use. Each is replaced by a stand-in with the plugin's own test — the user's
 * `auth-provider` has its name — which imports the real plugin, and builds one per
 * stand-in (as config.js does per KubeConfig), the first time it authenticates.
 *
 * It falls through — client-node loads as published — unless everything is as expected:
 * the importer is client-node's `dist/config.js`, it imports exactly those two names from
 * `./gen/index.js`, and both defining files exist. See docs/adr/0005-slim-kubernetes-client.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';

/** The import statement config.js must hold, word for word but for spacing, for the redirect to apply. */
const EXPECTED_IMPORT = /import\s*\{\s*createConfiguration\s*,\s*ServerConfiguration\s*,?\s*\}\s*from\s*['"]\.\/gen\/index\.js['"]/;

/** What the module's source must export from where (relative to config.js). */
const PARTS = [
  { name: 'createConfiguration', file: './gen/configuration.js' },
  { name: 'ServerConfiguration', file: './gen/servers.js' },
] as const;

/** The auth-provider plugins deferred: config.js's import, the class, the provider name the plugin tests for. */
const PLUGINS: Record<string, { name: string; provider: string }> = {
  './oidc_auth.js': { name: 'OpenIDConnectAuth', provider: 'oidc' },
  './azure_auth.js': { name: 'AzureAuth', provider: 'azure' },
  './gcp_auth.js': { name: 'GoogleCloudPlatformAuth', provider: 'gcp' },
};

/** Reads a file's text; undefined when it cannot be read. */
function readText(url: URL): string | undefined {
  try {
    return readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The URL to load instead of `specifier` imported by `parentURL`, or undefined to leave
 * the import alone. Pure apart from the file checks it is given (tests pass their own).
 */
export function slimTarget(specifier: string, parentURL: string | undefined, files: { read(url: URL): string | undefined; exists(url: URL): boolean } = { read: readText, exists: (url) => existsSync(fileURLToPath(url)) }): string | undefined {
  if (!parentURL?.startsWith('file:') || !/\/@kubernetes\/client-node\/dist\/config\.js$/.test(parentURL)) return undefined;
  if (Object.hasOwn(PLUGINS, specifier)) return lazyPlugin(specifier, parentURL, files);
  if (specifier !== './gen/index.js') return undefined;
  if (!EXPECTED_IMPORT.test(files.read(new URL(parentURL)) ?? '')) return undefined;
  const urls = PARTS.map((part) => new URL(part.file, parentURL));
  if (!urls.every((url) => files.exists(url))) return undefined;
  const source = PARTS.map((part, i) => `export { ${part.name} } from ${JSON.stringify(urls[i]!.href)};`).join('\n');
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/**
 * A stand-in for the auth-provider plugin config.js imports as `specifier`, or undefined
 * unless config.js imports exactly that class from it and the plugin's own test is
 * still `user.authProvider.name === '<provider>'` (what the stand-in answers without it).
 */
function lazyPlugin(specifier: string, parentURL: string, files: { read(url: URL): string | undefined }): string | undefined {
  const { name, provider } = PLUGINS[specifier]!;
  const escaped = specifier.replace(/[.]/g, '\\.');
  if (!new RegExp(`import\\s*\\{\\s*${name}\\s*,?\\s*\\}\\s*from\\s*['"]${escaped}['"]`).test(files.read(new URL(parentURL)) ?? '')) return undefined;
  const real = new URL(specifier, parentURL);
  const plugin = files.read(real) ?? '';
  if (!/if \(!(user \|\| !)?user\.authProvider\) \{\s*return false;\s*\}/.test(plugin) || !plugin.includes(`return user.authProvider.name === '${provider}';`)) return undefined;
  const source = [
    `export class ${name} {`,
    '  #real;',
    `  isAuthProvider(user) { return Boolean(user && user.authProvider) && user.authProvider.name === ${JSON.stringify(provider)}; }`,
    `  async applyAuthentication(user, opts) {`,
    `    this.#real ??= import(${JSON.stringify(real.href)}).then((m) => new m.${name}());`,
    '    return (await this.#real).applyAuthentication(user, opts);',
    '  }',
    '}',
  ].join('\n');
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

let registered = false;

/**
 * Registers the redirect (once per process). Call before anything imports
 * `@kubernetes/client-node` or its `dist/config.js`; afterwards it changes nothing
 * (the module is loaded already).
 */
export function registerSlimKubeConfig(): void {
  if (registered) return;
  registered = true;
  // Only the four imports are decided per call: every other resolution costs a string comparison.
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = specifier === './gen/index.js' || Object.hasOwn(PLUGINS, specifier) ? slimTarget(specifier, context.parentURL) : undefined;
      return url ? { url, format: 'module', shortCircuit: true } : nextResolve(specifier, context);
    },
  });
}

/** The `KubeConfig` class, loaded from client-node's `dist/config.js` with the redirect in place. */
export async function loadKubeConfigClass(): Promise<typeof KubeConfig> {
  registerSlimKubeConfig();
  const { KubeConfig: loaded } = await import('@kubernetes/client-node/dist/config.js');
  return loaded;
}
