/**
 * The public repositories bench/real-apps.ts pushes, each pinned to a commit, and
 * where it finds them: bare git snapshots under a mirror folder (`<owner>+<name>/repo`,
 * what the session's `fetch` tool leaves in /work/.mirror). Nothing of these
 * repositories is vendored into Slipway.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One app of the bench: a repository at a commit, pushed as `slipway push --name <name> --git URL,<rev> [--subdir]`. */
export interface RealApp {
  /** Slipway app name. */
  name: string;
  /** What kind of app it is (the issue 16 shapes). */
  shape: string;
  /** GitHub `owner/name`. */
  repo: string;
  /** Full commit SHA the bench pushes. */
  rev: string;
  /** Folder of the repository to push (`--subdir`). */
  subdir?: string;
  /** Path that must answer 200 (default `/`). */
  route?: string;
}

/** The apps, cheapest first within each kind so a slow build does not hold up many small ones. */
export const REAL_APPS: RealApp[] = [
  { name: 'static-styled', shape: 'static site (index.html)', repo: 'mdn/beginner-html-site-styled', rev: 'acd9b0d31d56dc4e63aa1fb7f47e3d7addb29169' },
  { name: 'static-scripted', shape: 'static site with scripts/', repo: 'mdn/beginner-html-site-scripted', rev: '570260b392cc15a0b2ecd579071b0fc6384bbe98' },
  { name: 'http-nodejs', shape: 'node:http, yarn.lock, no deps', repo: 'railwayapp-templates/http-nodejs', rev: 'bf23765f75771254c55b46b671ba6b48c6afc95b' },
  { name: 'express', shape: 'Express 5, yarn', repo: 'render-examples/express-hello-world', rev: '59bb07278c918ac8798e2532b4251f7c34e365f5' },
  { name: 'fastify', shape: 'Fastify 4, npm ci', repo: 'render-examples/fastify-hello-world', rev: '4f82c7ea5645d57ffa3f981b2904697be95faa00' },
  { name: 'node-sample', shape: 'Express 4 + Procfile, npm (no lock)', repo: 'heroku/node-js-sample', rev: '28cdfd8d72324baddeb292f4bdd8a96bb081a463' },
  { name: 'hardcoded-port', shape: 'Express on port 3000, start: nodemon', repo: 'binhco1999/BCBlog', rev: 'd2bebcd232863eec6973ca9b64475457e759da1f' },
  { name: 'python-django', shape: 'Python (Django) + Procfile, pip', repo: 'heroku/python-getting-started', rev: 'f7c8d9929a782e90bc0bb9320f2cb43a3d62958d' },
  { name: 'go-gin', shape: 'Go (gin) + Procfile, go modules', repo: 'heroku/go-getting-started', rev: '3e3b414d3d269c6cdb7c46b5c2879c8f71ffa409' },
  { name: 'vite-monorepo', shape: 'Vite + React in frontend/, npm ci', repo: 'railwayapp-templates/monorepo-example', rev: 'e999b1fde8a50c44b1056cf77bce2c64d421cf65', subdir: 'frontend' },
  { name: 'vitesse', shape: 'Vite + Vue SPA, pnpm', repo: 'antfu/vitesse-lite', rev: 'e41294c41017a18ca396bc9bf33556cf2c92712e' },
  { name: 'sveltekit', shape: 'SvelteKit adapter-node (build/), npm ci', repo: 'tamer73/sveltekit-mittwald-spaceserver-demo', rev: '760338196da0de6384dae41a759c3057b7f1e669' },
  { name: 'nuxt', shape: 'Nuxt 4 (.output/), npm (no lock)', repo: 'nuxt/starter', rev: '5522c41179b1c4c61a38be74c3cd7aeed4893f11' },
  { name: 'cra', shape: 'Create React App (build/), yarn', repo: 'render-examples/create-react-app', rev: '4d5018038d5c40e19752567e7a0d1086a6d70b5b' },
  { name: 'nextjs', shape: 'Next.js 15, yarn', repo: 'render-examples/nextjs-hello-world', rev: 'a0f64db8bea168f884fcc6b95ec4f795b4b850f3' },
];

/** A repository's snapshot: its git directory, or why it cannot be used. */
export type Located = { app: RealApp; gitDir: string } | { app: RealApp; missing: string };

/** Finds `<mirror>/<owner>+<name>/repo` (bare, or a clone with `.git`) and checks it holds the pinned commit. */
export async function locateApp(mirror: string, app: RealApp): Promise<Located> {
  const base = join(mirror, app.repo.replace('/', '+'), 'repo');
  const withWorkTree = join(base, '.git');
  const gitDir = (await isDir(withWorkTree)) ? withWorkTree : base;
  if (!(await isDir(join(gitDir, 'objects')))) return { app, missing: `no snapshot at ${base}` };
  try {
    await run('git', ['--git-dir', gitDir, 'cat-file', '-e', `${app.rev}^{commit}`]);
  } catch {
    return { app, missing: `the snapshot at ${base} has no commit ${app.rev}` };
  }
  return { app, gitDir };
}

/** A bare copy of `gitDir` (every branch, objects hard-linked) at `<root>/<name>.git`, for the git server. */
export async function bareCopy(gitDir: string, root: string, name: string): Promise<void> {
  const env = { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  await run('git', ['clone', '--quiet', '--bare', gitDir, join(root, `${name}.git`)], { env });
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
