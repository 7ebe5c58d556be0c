/**
 * Watching 10,000 repositories (issue 12; not a test). Two scenarios on one watcher:
 *
 * 1. Polling. N watched apps (default 10,000) in the embedded default's file state
 *    store, each following `main` of its own repository, polled at an interval
 *    (default 1 m) while nothing changes. The watcher is driven directly (registering
 *    10,000 apps through the API would cost 10,000 ref listings up front); it lists
 *    refs through Slipway's real git adapter over real sockets. Printed: the watcher
 *    process's CPU share (process.cpuUsage over wall time) and per check, scaled to
 *    10,000 apps per minute (166.7 checks/s) by the checks actually made (target < 50 %
 *    of one core) — for the first interval (every app's first check, which writes its
 *    first status) and for the rest (the steady state) apart — and at
 *    the git server the requests, the new TCP connections (keep-alive reuse) and the
 *    fetches (must be 0).
 * 2. A burst of 1,000 signed GitHub push deliveries for 1,000 distinct repositories,
 *    all of which moved, sent to the real webhook router (in this process) with polling
 *    off. Each check that sees the new head starts a "run" that does exactly the git
 *    calls of the run's import step (import-git.ts: `git.resolve` of the SHA, then
 *    `git.archive`, drained) — staging and deploying are left out. Printed: time until
 *    every fetch finished (target < 30 s), the peak number of fetches the git server saw
 *    at once (target ≤ SLIPWAY_GIT_CONCURRENCY), the requests per delivery (check and
 *    import together) and Slipway's CPU per delivery.
 *
 * Two kinds of git server for the burst, always named in the output:
 * - `plain` (default): every fetch runs `git http-backend` → upload-pack → pack-objects
 *   in the child, on this machine's cores; the drain is then mostly this machine's
 *   pack-objects time × 1,000 ÷ concurrency.
 * - `forge` (`--fetch-cache`, optionally `--fetch-latency MS`): like a hosted forge with
 *   a pack cache. The first fetch of each real repository and request body runs
 *   http-backend (identical ones arriving meanwhile wait for it); later identical ones
 *   replay the recorded answer, each after MS milliseconds (default 0) to model network
 *   and remote time. The drain then shows Slipway's side and the concurrency bound, not
 *   this machine's pack-objects. `--burst-modes plain,forge` runs one burst of each, in
 *   that order, each with a fresh git source and watcher.
 *
 * The git server is a child process (its CPU is not the watcher's). 10,000 real
 * repositories would take too long to create, so `/org/repo<i>.git` is rewritten to one
 * of a few real bare repositories: every answer comes from `git http-backend`, and the
 * answers to ref listings (GET info/refs, v2 `ls-refs`) are cached per real repository
 * until the bench pushes to them; fetches run http-backend (plain; in forge-like mode only the first of each kind).
 *
 *   npx node bench/control-plane/repos.ts                                   # 10,000 apps, 1 m, 150 s
 *   npx node bench/control-plane/repos.ts --apps 2000 --interval 12s --seconds 30
 *   npx node bench/control-plane/repos.ts --protocol v0 --only poll
 *   npx node bench/control-plane/repos.ts --only burst --apps 1000 --fetch-cache --fetch-latency 100
 *   npx node bench/control-plane/repos.ts --only burst --apps 1000 --burst-modes plain,forge --fetch-latency 100
 */
import { fork, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { createServer, Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    apps: { type: 'string', default: '10000' },
    real: { type: 'string', default: '4' },
    interval: { type: 'string', default: '1m' },
    seconds: { type: 'string', default: '150' },
    burst: { type: 'string', default: '1000' },
    'watch-concurrency': { type: 'string', default: '8' },
    'git-concurrency': { type: 'string', default: '4' },
    protocol: { type: 'string', default: 'v2' },
    only: { type: 'string' },
    'fetch-cache': { type: 'boolean', default: false },
    'fetch-latency': { type: 'string', default: '0' },
    'burst-modes': { type: 'string' },
    serve: { type: 'string' },
  },
});

interface ServerStats {
  requests: number; connections: number; adverts: number; refListings: number; fetches: number; peakFetches: number; pushes: number; fetchMs: number;
  /** Forge mode: fetches answered by http-backend, and replayed from the pack cache. */
  packed: number; replayed: number;
}
type BurstMode = 'plain' | 'forge';

if (args.serve) await serve(args.serve);
else await main();

/** Child: the git server. */
async function serve(root: string): Promise<void> {
  const v2 = args.protocol !== 'v0';
  const stats: ServerStats = { requests: 0, connections: 0, adverts: 0, refListings: 0, fetches: 0, peakFetches: 0, pushes: 0, fetchMs: 0, packed: 0, replayed: 0 };
  let inFlight = 0;
  let mode: BurstMode = 'plain';
  const latencyMs = Number(args['fetch-latency']);
  type Answer = { status: number; headers: Record<string, string>; body: Buffer };
  const cache = new Map<string, Answer>();
  // Forge mode: recorded fetch answers by real repository, protocol and request body.
  const packs = new Map<string, Promise<Answer>>();
  const server = createServer((req, res) => void handle(req, res).catch(() => { res.destroy(); }));
  server.on('connection', () => { stats.connections += 1; });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readAll(req);
    const virtual = /^\/org\/repo(\d+)\.git(\/.*)$/.exec(url.pathname);
    if (!virtual) {
      if (url.pathname.endsWith('git-receive-pack')) stats.pushes += 1;
      return send(res, await cgi(root, url.pathname, url.search.slice(1), req, body, true));
    }
    const pathInfo = `/real/r${Number(virtual[1]) % Number(args.real)}.git${virtual[2]}`;
    const protocol = v2 ? String(req.headers['git-protocol'] ?? '') : '';
    const isFetch = req.method === 'POST' && (!protocol.includes('version=2') || body.includes('command=fetch'));
    if (!isFetch) {
      stats.refListings += 1;
      if (req.method === 'GET') stats.adverts += 1;
      const key = `${pathInfo}|${url.search}|${protocol}|${createHash('sha1').update(body).digest('hex')}`;
      let answer = cache.get(key);
      if (!answer) {
        answer = await cgi(root, pathInfo, url.search.slice(1), req, body, v2);
        if (answer.status === 200) cache.set(key, answer);
      }
      return send(res, answer);
    }
    stats.fetches += 1;
    inFlight += 1;
    stats.peakFetches = Math.max(stats.peakFetches, inFlight);
    const started = performance.now();
    try {
      if (mode === 'forge') {
        const key = `${pathInfo}|${protocol}|${createHash('sha1').update(body).digest('hex')}`;
        const recorded = packs.get(key);
        if (recorded) {
          stats.replayed += 1;
          const answer = await recorded;
          if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
          send(res, answer);
          return;
        }
        stats.packed += 1;
        const answer = cgi(root, pathInfo, url.search.slice(1), req, body, v2);
        packs.set(key, answer);
        const sent = await answer;
        if (sent.status !== 200) packs.delete(key);
        send(res, sent);
        return;
      }
      send(res, await cgi(root, pathInfo, url.search.slice(1), req, body, v2));
    } finally {
      inFlight -= 1;
      stats.fetchMs += performance.now() - started;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', (message: string) => {
    if (message === 'stats') process.send!({ ...stats });
    if (message === 'invalidate') { cache.clear(); packs.clear(); process.send!('ok'); }
    if (message === 'mode plain' || message === 'mode forge') { mode = message.slice(5) as BurstMode; process.send!('ok'); }
    if (message === 'reset-peak') { stats.peakFetches = 0; process.send!('ok'); }
    if (message === 'close') server.close(() => process.exit(0));
  });
  process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

function send(res: ServerResponse, answer: { status: number; headers: Record<string, string>; body: Buffer }): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length }).end(answer.body);
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Runs `git http-backend` for one request and collects its answer (the packs here are small). */
async function cgi(root: string, pathInfo: string, query: string, req: IncomingMessage, body: Buffer, v2: boolean) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', GIT_CONFIG_NOSYSTEM: '1', HOME: root,
    REMOTE_USER: 'bench', REMOTE_ADDR: '127.0.0.1', PATH_INFO: pathInfo, QUERY_STRING: query, REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '', CONTENT_LENGTH: String(body.length), SERVER_PROTOCOL: 'HTTP/1.1', GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (v2 && req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.on('error', () => {});
  child.stdin.end(body);
  const out = await readAll(child.stdout);
  const end = out.indexOf('\r\n\r\n') !== -1 ? out.indexOf('\r\n\r\n') : out.indexOf('\n\n');
  const sep = out[end] === 13 ? 4 : 2;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of out.subarray(0, Math.max(0, end)).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'status') status = Number.parseInt(line.slice(colon + 1), 10);
    else headers[name] = line.slice(colon + 1).trim();
  }
  return end === -1 ? { status: 502, headers: {}, body: Buffer.from('http-backend failed\n') } : { status, headers, body: out.subarray(end + sep) };
}

/** Parent: Slipway's watcher, git adapter, store and webhook router, and the measurements. */
async function main(): Promise<void> {
  const { createFileStateStore } = await import('../../controller/adapters/state/file-state-store.ts');
  const { createGitSource } = await import('../../controller/adapters/git/create-git-source.ts');
  const { noGitCredentials } = await import('../../controller/adapters/git/git-credentials.ts');
  const { createWatcher } = await import('../../controller/watch/create-watcher.ts');
  const { parseInterval } = await import('../../controller/watch/parse-interval.ts');
  const { createWebhookRouter } = await import('../../webhooks/create-webhook-router.ts');
  const { problemMiddleware } = await import('../../controller/api/problem-middleware.ts');
  const { systemClock } = await import('../../core/ports/clock.ts');
  const { silentLogger } = await import('../../core/ports/logger.ts');
  const { createBareRepo, createWorkRepo } = await import('../../test/helpers/git-repo.ts');
  const { makeTempDir } = await import('../../test/helpers/temp-dir.ts');
  const { default: Koa } = await import('koa');

  const apps = Number(args.apps);
  const real = Number(args.real);
  const intervalMs = parseInterval(args.interval, 100);
  const gitConcurrency = Number(args['git-concurrency']);
  const temp = await makeTempDir('slipway-bench-repos-');
  const root = join(temp.dir, 'repos');
  const child = fork(fileURLToPath(import.meta.url), ['--serve', root, '--real', String(real), '--protocol', args.protocol!, '--fetch-latency', args['fetch-latency']!], { stdio: 'inherit' });
  const ask = <T>(message: string) => new Promise<T>((resolve) => { child.once('message', (m) => resolve(m as T)); if (message) child.send(message); });
  const { url } = await ask<{ url: string }>('');
  const work = await createWorkRepo();
  await work.write({ 'index.js': 'console.log(1)\n', 'package.json': '{"name":"bench"}\n' });
  let head = await work.commit('one');
  for (let r = 0; r < real; r += 1) {
    await createBareRepo(join(root, 'real'), `r${r}`);
    await work.push(`${url}/real/r${r}.git`, ['main']);
  }

  const store = createFileStateStore({ dir: join(temp.dir, 'state'), clock: systemClock });
  await store.createNamespace('bench');
  let t0 = performance.now();
  const repoUrl = (i: number) => `${url}/org/repo${i}.git`;
  for (let i = 0; i < apps; i += 1) {
    await store.createApp({
      metadata: { namespace: 'bench', name: `app${i}`, resourceVersion: '', generation: 0, createdAt: '' },
      spec: { instances: 1, env: {}, routes: [], origin: { kind: 'git', url: repoUrl(i), branch: 'main', watch: true, interval: args.interval } },
      status: { release: { number: 1, stageId: 's', image: 'i', blobuid: 'b', revision: head, branch: 'main', createdAt: new Date().toISOString() } },
    });
  }
  console.log(`set-up: ${apps} apps in the file state store in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${real} real repositories behind ${apps} URLs, protocol ${args.protocol}`);

  let resolves = 0;
  const fetched = { done: 0, failed: 0, codes: new Map<string, number>() };
  /** A fresh git source (nothing remembered of any repository) and a watcher on it. */
  const makeWatcher = () => {
    const git = createGitSource({
      allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 300_000, tmpDir: temp.dir,
      limits: { archiveEntries: 10_000, unpackedBytes: 1 << 28 }, concurrency: gitConcurrency,
    });
    return createWatcher({
      store, clock: systemClock, logger: silentLogger, concurrency: Number(args['watch-concurrency']), minIntervalMs: 100,
      git: { resolve: (...a) => { resolves += 1; return git.resolve(...a); }, archive: (r) => git.archive(r) },
      // The git calls of the run's import step (import-git.ts) and nothing else: resolve
      // the SHA the check found, then fetch that commit and stream its archive.
      runner: {
        start: async (namespace, name, request) => {
          const app = (await store.getApp(namespace, name))!;
          const origin = app.spec.origin as { url: string; branch?: string };
          void git.resolve(origin.url, (request as { revision: string }).revision)
            .then((resolved) => git.archive({ url: origin.url, resolved: { ...resolved, branch: origin.branch } }))
            .then(async (stream) => { for await (const _ of stream) { /* drain */ } fetched.done += 1; })
            .catch((error: { code?: string }) => { fetched.failed += 1; fetched.codes.set(error.code ?? 'error', (fetched.codes.get(error.code ?? 'error') ?? 0) + 1); });
          return { id: `run-${name}` } as never;
        },
      },
    });
  };
  let watcher = makeWatcher();
  const stats = () => ask<ServerStats>('stats');

  if (args.only !== 'burst') {
    // Two windows: the first interval (every app's first check, which also writes its
    // first status.watch) and the rest, the steady state of polls that find nothing new.
    const sample = async () => ({ cpu: process.cpuUsage(), at: performance.now(), resolves, server: await stats() });
    const report = (label: string, from: Awaited<ReturnType<typeof sample>>, to: Awaited<ReturnType<typeof sample>>) => {
      const wallMs = to.at - from.at;
      const cpuMs = (to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system) / 1000;
      const checks = to.resolves - from.resolves;
      const share = cpuMs / wallMs;
      const rate = checks / (wallMs / 1000);
      const requests = to.server.requests - from.server.requests;
      const connections = to.server.connections - from.server.connections;
      console.log(`poll ${label}: ${(wallMs / 1000).toFixed(1)} s, ${checks} checks (${rate.toFixed(1)}/s; ${(apps / (intervalMs / 1000)).toFixed(1)}/s asked); watcher CPU ${(share * 100).toFixed(1)} % of one core, ${(cpuMs / Math.max(1, checks)).toFixed(2)} ms per check; per 10,000 apps / 1 m (166.7 checks/s): ${(share * (10_000 / 60) / rate * 100).toFixed(1)} % (target < 50 %)`);
      console.log(`poll ${label}: git server: ${requests} requests, ${to.server.refListings - from.server.refListings} ref listings, ${connections} new connections (${(requests / Math.max(1, connections)).toFixed(1)} requests each), ${to.server.fetches - from.server.fetches} fetches (target 0)`);
    };
    const start = await sample();
    await watcher.start();
    const seconds = Number(args.seconds) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, seconds)));
    const first = await sample();
    if (seconds > intervalMs) await new Promise((resolve) => setTimeout(resolve, seconds - intervalMs));
    const end = await sample();
    await watcher.setPolling(false);
    await watcher.idle();
    const errors = (await store.listApps('bench')).filter((a) => (a.status as { watch?: { error?: unknown } }).watch?.error).length;
    console.log(`poll: ${apps} apps, interval ${args.interval}, ${errors} apps with a watch error`);
    report('first interval', start, first);
    if (end.at - first.at > 1000) report('after it', first, end);
  }

  if (args.only !== 'poll') {
    const modes = (args['burst-modes'] ?? (args['fetch-cache'] ? 'forge' : 'plain')).split(',') as BurstMode[];
    if (modes.some((m) => m !== 'plain' && m !== 'forge')) throw new Error('--burst-modes takes plain and/or forge');
    const SECRET = 'bench-webhook-secret';
    const koa = new Koa();
    koa.use(problemMiddleware(silentLogger));
    koa.use(createWebhookRouter({ secretsFor: async () => [SECRET], hint: (h) => watcher.hint(h), maxBytes: 1 << 20, readTimeoutMs: 10_000, logger: silentLogger }).routes());
    const hooks = koa.listen(0, '127.0.0.1');
    await new Promise((resolve) => hooks.once('listening', resolve));
    const port = (hooks.address() as AddressInfo).port;
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const deliver = (i: number) => new Promise<number>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: head, repository: { clone_url: repoUrl(i), html_url: repoUrl(i).replace(/\.git$/, '') } }));
      const req = request({ host: '127.0.0.1', port, path: '/webhooks/github', method: 'POST', agent, headers: {
        'content-type': 'application/json', 'content-length': body.length, 'x-github-event': 'push', 'x-github-delivery': `d${i}`,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
      req.on('error', reject);
      req.end(body);
    });
    for (const [round, mode] of modes.entries()) {
      const burst = Math.min(Number(args.burst), apps);
      await watcher.setPolling(false);
      // A fresh git source each burst: nothing remembered of any repository (a check is
      // then its first; polls before would have left the v2 advertisement known).
      await watcher.stop();
      watcher = makeWatcher();
      await watcher.start({ poll: false });
      await watcher.idle();
      // Every repository moves: one push to each real repository.
      await work.write({ 'index.js': `console.log(${round + 2})\n` });
      head = await work.commit(`burst ${round + 1}`);
      for (let r = 0; r < real; r += 1) await work.push(`${url}/real/r${r}.git`, ['main']);
      await ask('invalidate');
      await ask(`mode ${mode}`);
      await ask('reset-peak');
      fetched.done = 0;
      fetched.failed = 0;
      fetched.codes.clear();
      const label = mode === 'plain'
        ? 'burst [plain http-backend: every fetch packs on this machine]'
        : `burst [forge-like: pack cache, replays after ${Number(args['fetch-latency'])} ms — NOT this machine's git server speed]`;
      const before = await stats();
      const cpu = process.cpuUsage();
      t0 = performance.now();
      const statuses = await Promise.all(Array.from({ length: burst }, (_, i) => deliver(i)));
      const ackedMs = performance.now() - t0;
      const deadline = Date.now() + 300_000;
      while (fetched.done + fetched.failed < burst && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const drainedMs = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      const after = await stats();
      const refused = statuses.filter((s) => s !== 202).length;
      const fetches = after.fetches - before.fetches;
      const requests = after.requests - before.requests;
      const cpuMs = (used.user + used.system) / 1000;
      console.log(`${label}: ${burst} signed deliveries for distinct repositories acknowledged in ${(ackedMs / 1000).toFixed(2)} s (${refused} not 202); drained in ${(drainedMs / 1000).toFixed(1)} s (target < 30 s); Slipway CPU ${(cpuMs / 1000).toFixed(1)} s, ${(cpuMs / burst).toFixed(1)} ms per delivery`);
      console.log(`${label}: ${fetched.done} fetched, ${fetched.failed} failed${fetched.codes.size ? ` (${[...fetched.codes].map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}; git server: ${fetches} fetches, peak ${after.peakFetches} at once (target ≤ SLIPWAY_GIT_CONCURRENCY = ${gitConcurrency}), ${((after.fetchMs - before.fetchMs) / Math.max(1, fetches)).toFixed(0)} ms each at the server${mode === 'forge' ? ` (${after.packed - before.packed} packed by http-backend, ${after.replayed - before.replayed} replayed)` : ''}`);
      console.log(`${label}: ${requests} requests (${(requests / burst).toFixed(2)} per delivery: ${((after.adverts - before.adverts) / burst).toFixed(2)} advertisements, ${((after.refListings - before.refListings - (after.adverts - before.adverts)) / burst).toFixed(2)} ls-refs, ${(fetches / burst).toFixed(2)} fetches) on ${after.connections - before.connections} new connections`);
    }
    agent.destroy();
    hooks.close();
  }
  await watcher.stop();
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  child.send('close');
  await work.cleanup();
  await temp.cleanup();
  process.exit(0);
}
