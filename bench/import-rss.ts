/**
 * What each dependency costs in memory just by being imported: one fresh process per
 * module (with `npm start`'s flags), which imports it, collects garbage and reads its
 * RssAnon (the process's own pages, not the node binary's) from /proc. Printed next to
 * a bare process, the difference is what loading that module costs the server at idle.
 *
 *   node bench/import-rss.ts                       # the server's dependencies
 *   node bench/import-rss.ts koa ./controller/main-kubernetes.ts   # any specifiers
 *   node bench/import-rss.ts --runs 3              # median of 3 processes each
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const { values: args, positionals } = parseArgs({ options: { runs: { type: 'string', default: '1' } }, allowPositionals: true });

/** What the Kubernetes server may load, and the slim KubeConfig (see docs/adr/0005-slim-kubernetes-client.md). */
const DEFAULTS = [
  '', '@kubernetes/client-node', '@kubernetes/client-node/dist/config.js', 'slim:KubeConfig', '@kubernetes/client-node/dist/watch.js', 'undici',
  '@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'isomorphic-git', 'octokit', '@octokit/webhooks', 'ssh2', 'prom-client', 'koa', '@koa/router',
  '@koa/bodyparser', 'zod', 'pino', 'yaml', 'tar', 'tar-stream', 'yauzl', 'commander',
];

/** The child's program: import, settle, collect, print RssAnon in KiB. */
const CHILD = `
const target = process.argv[1];
if (target === 'slim:KubeConfig') {
  const { loadKubeConfigClass } = await import(${JSON.stringify(pathToFileURL(resolve('controller/adapters/kube/slim-kube-config.ts')).href)});
  await loadKubeConfigClass();
} else if (target) {
  await import(target.startsWith('./') ? new URL(target, ${JSON.stringify(pathToFileURL(resolve('.')).href + '/')}).href : target);
}
await new Promise((r) => setTimeout(r, 300));
globalThis.gc();
await new Promise((r) => setTimeout(r, 300));
const status = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
console.log(/RssAnon:\\s+(\\d+)/.exec(status)[1]);
process.exit(0);
`;

/** RssAnon (MiB) of a process that imported `specifier` ('' for none). */
function measure(specifier: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=1', '--expose-gc', '--input-type=module', '-e', CHILD, specifier], {
      env: { ...process.env, MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '131072' }, stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve('.'),
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk; });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(Number(out.trim()) / 1024) : fail(new Error(`${specifier}: exit ${code}`))));
  });
}

const runs = Number(args.runs);
const specifiers = positionals.length > 0 ? ['', ...positionals] : DEFAULTS;
let bare = 0;
for (const specifier of specifiers) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(specifier).catch(() => NaN));
  const median = samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  if (specifier === '') bare = median;
  const label = specifier || '(bare node)';
  console.log(`${label.padEnd(44)} ${median.toFixed(1).padStart(6)} MiB anon${specifier ? `  (+${(median - bare).toFixed(1)})` : ''}`);
}
