/**
 * What a front-end framework's build leaves behind, and how to serve it. A build script
 * that ran may have written a Node server (Nuxt/Nitro's `.output/server/index.mjs`,
 * SvelteKit adapter-node's `build/index.js`, Next.js's `.next/`) or a folder of files
 * (Vite's `dist/`, Create React App's `build/`, Next's static export `out/`, Nuxt's
 * generated `.output/public/`, Angular's `dist/<project>/browser/`, Gatsby's `public/`).
 * Many templates' `start` script runs a development server (`react-scripts start`,
 * `ng serve`, `gatsby develop`); after a production build that is the wrong thing to run.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileExists } from './file-exists.ts';
import type { NodeStart } from './node-start.ts';

// Commands that start a framework's development server (hot reload, unminified, often
// bound to a fixed port) rather than serving a production build.
const DEV_SERVER =
  /(^|[\s;&|(])(npx\s+)?(react-scripts\s+start|ng\s+serve|vue-cli-service\s+serve|astro\s+dev|gatsby\s+develop|nux[ti]\s+dev|next\s+dev|svelte-kit\s+dev|webpack\s+serve|webpack-dev-server|vite(\s+(dev|serve))?(?=\s*$|\s+-|\s*[;&|)]))/;

/** True when a `start` script runs a framework's development server. */
export function isDevServer(script: string): boolean {
  return DEV_SERVER.test(script);
}

/**
 * The start command of a Node server a framework's build wrote, if any. `node` is the
 * server's node binary; `.bin` is the release's `node_modules/.bin`.
 */
export async function findServerOutput(dir: string, node: string): Promise<NodeStart | undefined> {
  if (await fileExists(join(dir, '.output/server/index.mjs'))) {
    return { command: [node, '.output/server/index.mjs'], shows: 'node .output/server/index.mjs' };
  }
  // adapter-node writes both; a build/index.js alone is more likely a bundle of anything.
  if ((await fileExists(join(dir, 'build/index.js'))) && (await fileExists(join(dir, 'build/handler.js')))) {
    return { command: [node, 'build/index.js'], shows: 'node build/index.js' };
  }
  const next = join(dir, 'node_modules/.bin/next');
  if ((await fileExists(join(dir, '.next/BUILD_ID'))) && (await fileExists(next))) {
    // `next start` reads $PORT itself.
    return { command: [node, next, 'start'], shows: 'next start' };
  }
  return undefined;
}

/** Where built front-ends put their site, in the order they are looked for (the folder served). */
export const BUILT_SITE_ROOTS = ['dist', 'build', 'out', '.output/public', 'dist/*/browser', 'dist/*', 'public'];

/** The folder (relative to `dir`) of the site a front-end build wrote: the first of {@link BUILT_SITE_ROOTS} with an index.html. */
export async function findBuiltSite(dir: string): Promise<string | undefined> {
  for (const pattern of BUILT_SITE_ROOTS) {
    for (const root of await expand(dir, pattern)) {
      if (await fileExists(join(dir, root, 'index.html'))) return root;
    }
  }
  return undefined;
}

/** `dist/*` → the sub-folders of dist, sorted; a pattern without `*` → itself. */
async function expand(dir: string, pattern: string): Promise<string[]> {
  const star = pattern.indexOf('*');
  if (star < 0) return [pattern];
  const parent = pattern.slice(0, star - 1);
  const entries = await readdir(join(dir, parent), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${parent}/${entry.name}${pattern.slice(star + 1)}`)
    .sort();
}
