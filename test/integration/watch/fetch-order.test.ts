/**
 * Issue 12: while a burst of imports waits for fetch slots, the fetches leave in the
 * order the imports asked (first come, first served), never more at once than
 * SLIPWAY_GIT_CONCURRENCY, and a watch check of another repository is not held up
 * behind them (ref listings have slots of their own). The git server holds every
 * fetch until the test lets it go, so the order and the waiting are seen, not timed.
 */
import test from 'ava';
import { cp } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { createFileStateStore } from '../../../controller/adapters/state/file-state-store.ts';
import { createWatcher } from '../../../controller/watch/create-watcher.ts';
import { systemClock } from '../../../core/ports/clock.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import { createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer } from '../../helpers/git-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const MOVED = 6;
const NS = 'order';

/** A proxy in front of `target` that holds every `POST git-upload-pack` (protocol v0: a fetch) until released. */
async function startGate(target: string) {
  const held: { repo: string; release: () => void }[] = [];
  const arrived: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const forward = () => {
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    };
    if (req.method === 'POST' && req.url!.endsWith('/git-upload-pack')) {
      const repo = /\/acme\/(r\d+)\.git\//.exec(req.url!)![1]!;
      arrived.push(repo);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      res.on('close', () => { inFlight -= 1; });
      held.push({ repo, release: forward });
    } else {
      forward();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held, arrived,
    peak: () => peak,
    releaseOne: () => held.shift()!.release(),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('queued fetches leave first come, first served, at most the concurrency at once, and checks go on meanwhile', async (t) => {
  t.timeout(60_000);
  const temp = await makeTempDir('slipway-watch-order-');
  const root = join(temp.dir, 'repos');
  const first = await createBareRepo(root, 'acme/r0');
  const server = await startGitServer({ root, protocolV2: false });
  const gate = await startGate(server.url);
  const work = await createWorkRepo();
  t.teardown(async () => { await gate.close(); await server.close(); await work.cleanup(); await temp.cleanup(); });
  await work.write({ 'index.js': 'console.log(1)\n' });
  const head = await work.commit('one');
  await work.push(`${server.url}/acme/r0.git`, ['main']);
  for (let i = 1; i <= MOVED; i += 1) await cp(first, join(root, `acme/r${i}.git`), { recursive: true });
  const url = (i: number) => `${gate.url}/acme/r${i}.git`;

  const store = createFileStateStore({ dir: join(temp.dir, 'state'), clock: systemClock });
  await store.createNamespace(NS);
  const git = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 60_000, tmpDir: temp.dir,
    limits: { archiveEntries: 10_000, unpackedBytes: 1 << 28 }, concurrency: 1,
  });
  const asked: string[] = [];
  const done: string[] = [];
  const watcher = createWatcher({
    store, git, clock: systemClock, logger: silentLogger, concurrency: 8, hintDebounceMs: 0,
    // The run's import step, as import-git.ts calls the git source.
    runner: {
      start: async (_namespace, name, runRequest) => {
        const i = Number(name.slice(3));
        const resolved = await git.resolve(url(i), (runRequest as { revision: string }).revision);
        asked.push(`r${i}`);
        void git.archive({ url: url(i), resolved }).then(async (stream) => {
          for await (const _ of stream) { /* drain */ }
          done.push(`r${i}`);
        });
        return { id: `run-${name}` } as never;
      },
    },
  });
  t.teardown(() => watcher.stop());
  const release = { number: 1, stageId: 's', image: 'i', blobuid: 'b', revision: head, branch: 'main', createdAt: new Date().toISOString() };
  for (let i = 0; i <= MOVED; i += 1) {
    await store.createApp({
      metadata: { namespace: NS, name: `app${i}`, resourceVersion: '', generation: 0, createdAt: '' },
      spec: { instances: 1, env: {}, routes: [], origin: { kind: 'git', url: url(i), branch: 'main', watch: true } },
      // app0 already runs the head: its check finds nothing to do. The others have no release yet.
      ...(i === 0 ? { status: { release } } : {}),
    });
  }
  await watcher.start({ poll: false });

  for (let i = 1; i <= MOVED; i += 1) t.deepEqual(watcher.hint({ provider: 'github', repositoryUrls: [url(i)], branch: 'main' }), { matched: 1 });
  await until(() => asked.length === MOVED && gate.held.length === 1, 'every import to ask for a fetch, and the first fetch to reach the server');

  // A fetch holds the only slot and five wait: a check of another repository still runs.
  const status = await watcher.check(NS, 'app0');
  t.is(status?.head, head);
  t.is(status?.error, undefined);
  t.is(gate.held.length, 1);

  for (let n = 1; n <= MOVED; n += 1) {
    await until(() => gate.held.length === 1, `fetch ${n}`);
    gate.releaseOne();
    await until(() => done.length === n, `archive ${n}`);
  }
  t.deepEqual(gate.arrived, asked, 'fetches reach the server in the order the imports asked');
  t.deepEqual(done, asked);
  t.is(gate.peak(), 1, 'never more fetches at once than SLIPWAY_GIT_CONCURRENCY');
});
