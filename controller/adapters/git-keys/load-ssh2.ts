/**
 * `ssh2`, loaded on first use. It is needed only for SSH git remotes and deploy keys,
 * and loading it costs the server ~7 MiB (bench/import-rss.ts) whether or not any app
 * uses SSH; it is CommonJS, so a synchronous `require` serves the synchronous key
 * parsers as well as the connections.
 */
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

let loaded: typeof Ssh2 | undefined;

/** The `ssh2` module (its `module.exports`, as `import ssh2 from 'ssh2'` gives it). */
export function loadSsh2(): typeof Ssh2 {
  loaded ??= createRequire(import.meta.url)('ssh2') as typeof Ssh2;
  return loaded;
}
