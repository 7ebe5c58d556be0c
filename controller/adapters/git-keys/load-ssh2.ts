/**
 * `ssh2`, loaded on first use. It is needed only for SSH git remotes and deploy keys,
 * yet loading it cost every server ~2 MiB of RssAnon (~7 MiB in a bare process;
 * bench/import-rss.ts). It is CommonJS, so a synchronous `require` serves the
 * synchronous key parsers as well as the connections.
 */
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

let loaded: typeof Ssh2 | undefined;

/** The `ssh2` module (its `module.exports`, as `import ssh2 from 'ssh2'` gives it). */
export function loadSsh2(): typeof Ssh2 {
  loaded ??= createRequire(import.meta.url)('ssh2') as typeof Ssh2;
  return loaded;
}
