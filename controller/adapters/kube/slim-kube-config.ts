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
  if (specifier !== './gen/index.js' || !parentURL?.startsWith('file:') || !/\/@kubernetes\/client-node\/dist\/config\.js$/.test(parentURL)) return undefined;
  if (!EXPECTED_IMPORT.test(files.read(new URL(parentURL)) ?? '')) return undefined;
  const urls = PARTS.map((part) => new URL(part.file, parentURL));
  if (!urls.every((url) => files.exists(url))) return undefined;
  const source = PARTS.map((part, i) => `export { ${part.name} } from ${JSON.stringify(urls[i]!.href)};`).join('\n');
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
  // Only the one import is decided per call: every other resolution costs a string comparison.
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = specifier === './gen/index.js' ? slimTarget(specifier, context.parentURL) : undefined;
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
