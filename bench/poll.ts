/**
 * Polling benchmark (not a test): N watched apps (default 1,000) in a file state store,
 * all following `main` of a few repositories served by a real `git http-backend` in a
 * child process, nothing changing, at an interval (default 1m) for a while (default
 * 120 s). Prints the watcher process's CPU share (process.cpuUsage over wall time;
 * target < 25% of one core), the checks made, and the clones/fetches the git server saw
 * (POSTs to git-upload-pack; the server speaks protocol v0/v1 so a ref listing is one
 * GET and any POST is a fetch — must be zero).
 *
 *   node bench/poll.ts                                   # 1,000 apps, 1m, 120 s
 *   node bench/poll.ts --interval 10s --seconds 30       # the scaled-down run
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFileStateStore } from '../controller/adapters/state/file-state-store.ts';
import { createGitSource } from '../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../controller/adapters/git/git-credentials.ts';
import { createWatcher } from '../controller/watch/create-watcher.ts';
import { systemClock } from '../core/ports/clock.ts';
import { silentLogger } from '../core/ports/logger.ts';
import { createBareRepo, createWorkRepo } from '../test/helpers/git-repo.ts';
import { startGitServer } from '../test/helpers/git-server.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';

const { values: args } = parseArgs({
  options: {
    apps: { type: 'string', default: '1000' },
    repos: { type: 'string', default: '5' },
    interval: { type: 'string', default: '1m' },
    seconds: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '8' },
    serve: { type: 'string' },
  },
});

if (args.serve) {
  // Child: the git server, so its work is not counted as the watcher's.
  const server = await startGitServer({ root: args.serve, protocolV2: false });
  process.on('message', (message) => {
    if (message === 'stats') process.send!({ requests: server.requests.length, fetches: server.requests.filter((r) => r.startsWith('POST') && r.includes('git-upload-pack')).length });
    if (message === 'close') void server.close().then(() => process.exit(0));
  });
  process.send!({ url: server.url });
} else {
  await main();
}

async function main(): Promise<void> {
  const apps = Number(args.apps);
  const repos = Number(args.repos);
  const seconds = Number(args.seconds);
  const temp = await makeTempDir('slipway-bench-poll-');
  const root = join(temp.dir, 'repos');
  const work = await createWorkRepo();
  await work.write({ 'index.js': 'console.log(1)\n' });
  const head = await work.commit('one');

  const child = fork(fileURLToPath(import.meta.url), ['--serve', root], { stdio: 'inherit' });
  const ask = <T>(message: string) => new Promise<T>((resolve) => { child.once('message', (m) => resolve(m as T)); if (message) child.send(message); });
  const { url } = await ask<{ url: string }>('');
  for (let r = 0; r < repos; r += 1) {
    await createBareRepo(root, `org/repo${r}`);
    await work.push(`${url}/org/repo${r}.git`, ['main']);
  }

  const store = createFileStateStore({ dir: join(temp.dir, 'state'), clock: systemClock });
  await store.createNamespace('bench');
  for (let i = 0; i < apps; i += 1) {
    await store.createApp({
      metadata: { namespace: 'bench', name: `app${i}`, resourceVersion: '', generation: 0, createdAt: '' },
      spec: { instances: 1, env: {}, routes: [], origin: { kind: 'git', url: `${url}/org/repo${i % repos}.git`, branch: 'main', watch: true, interval: args.interval } },
      status: { release: { number: 1, stageId: 's', image: 'i', blobuid: 'b', revision: head, branch: 'main', createdAt: new Date().toISOString() } },
    });
  }
  const git = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 10_000, tmpDir: temp.dir,
    limits: { archiveEntries: 10_000, unpackedBytes: 1 << 28 },
  });
  let resolves = 0;
  let deploys = 0;
  const watcher = createWatcher({
    store, clock: systemClock, logger: silentLogger, concurrency: Number(args.concurrency),
    git: { resolve: (...a) => { resolves += 1; return git.resolve(...a); }, archive: (r) => git.archive(r) },
    runner: { start: async () => { deploys += 1; throw new Error('nothing should deploy'); } },
  });
  const before = await ask<{ requests: number; fetches: number }>('stats');

  const cpu = process.cpuUsage();
  const started = performance.now();
  await watcher.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await watcher.stop();
  await watcher.idle();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const after = await ask<{ requests: number; fetches: number }>('stats');

  const errors = (await store.listApps('bench')).filter((a) => (a.status as { watch?: { error?: unknown } }).watch?.error).length;
  const share = ((used.user + used.system) / 1000) / wallMs;
  console.log(`apps ${apps} on ${repos} repos, interval ${args.interval}, ran ${(wallMs / 1000).toFixed(1)} s, concurrency ${args.concurrency}`);
  console.log(`checks (ref listings) ${resolves}  (${(resolves / (wallMs / 1000)).toFixed(1)}/s)  git requests ${after.requests - before.requests}`);
  console.log(`CPU share of the watcher process ${(share * 100).toFixed(1)}% of one core (user ${(used.user / 1e6).toFixed(1)} s, system ${(used.system / 1e6).toFixed(1)} s)  target < 25%`);
  console.log(`clones/fetches ${after.fetches - before.fetches}  (must be 0)  deploys ${deploys}  apps with an error ${errors}`);
  child.send('close');
  await work.cleanup();
  await temp.cleanup();
}
