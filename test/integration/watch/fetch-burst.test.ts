/**
 * Issue 12: a burst of webhook hints for many moved repositories ends with every app
 * serving its new head, while the git server never sees more fetches at once than
 * SLIPWAY_GIT_CONCURRENCY (the rest wait in line rather than fail `git_busy`).
 */
import test from 'ava';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { createFsBlobStore } from '../../../controller/adapters/blob/fs-blob-store.ts';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { createFileStateStore } from '../../../controller/adapters/state/file-state-store.ts';
import { createRunner } from '../../../controller/pipeline/create-runner.ts';
import { createStageTracker } from '../../../controller/pipeline/stage-tracker.ts';
import { createWatcher } from '../../../controller/watch/create-watcher.ts';
import { systemClock } from '../../../core/ports/clock.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import { createFakeRuntime } from '../../helpers/fake-runtime.ts';
import { createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer } from '../../helpers/git-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const REPOS = 16;
const NS = 'burst';

test('hints for many moved repositories at once deploy each head, at most SLIPWAY_GIT_CONCURRENCY fetches at a time', async (t) => {
  t.timeout(60_000);
  const temp = await makeTempDir('slipway-watch-burst-');
  const root = join(temp.dir, 'repos');
  const first = await createBareRepo(root, 'acme/r0');
  // Protocol v0/v1: a ref listing is a GET, so every POST to git-upload-pack is a fetch.
  const server = await startGitServer({ root, protocolV2: false });
  const work = await createWorkRepo();
  t.teardown(async () => { await server.close(); await work.cleanup(); await temp.cleanup(); });
  await work.write({ 'index.js': 'console.log(1)\n' });
  const head = await work.commit('one');
  await work.push(`${server.url}/acme/r0.git`, ['main']);
  for (let i = 1; i < REPOS; i += 1) await cp(first, join(root, `acme/r${i}.git`), { recursive: true });

  const store = createFileStateStore({ dir: join(temp.dir, 'state'), clock: systemClock });
  await store.createNamespace(NS);
  const git = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 60_000, tmpDir: temp.dir,
    limits: { archiveEntries: 10_000, unpackedBytes: 1 << 28 }, concurrency: 1,
  });
  const runtime = createFakeRuntime();
  const runner = createRunner({
    store, blobs: createFsBlobStore({ dir: join(temp.dir, 'blobs') }), git, runtime, clock: systemClock,
    logger: silentLogger, stages: createStageTracker(), systemDomain: 'localhost',
  });
  const watcher = createWatcher({ store, git, runner, clock: systemClock, logger: silentLogger, concurrency: 8, hintDebounceMs: 0 });
  t.teardown(async () => { await watcher.stop(); await runner.idle(); });
  const url = (i: number) => `${server.url}/acme/r${i}.git`;
  for (let i = 0; i < REPOS; i += 1) {
    await store.createApp({
      metadata: { namespace: NS, name: `app${i}`, resourceVersion: '', generation: 0, createdAt: '' },
      spec: { instances: 1, env: {}, routes: [], origin: { kind: 'git', url: url(i), branch: 'main', watch: true } },
    });
    await watcher.refresh(NS, `app${i}`);
  }

  for (let i = 0; i < REPOS; i += 1) t.deepEqual(watcher.hint({ provider: 'github', repositoryUrls: [url(i)], branch: 'main' }), { matched: 1 });
  await watcher.idle();
  await runner.idle();
  const apps = await store.listApps(NS);
  const failed = apps.filter((a) => a.status.run?.phase !== 'succeeded').map((a) => `${a.metadata.name}: ${a.status.run?.phase} ${a.status.run?.error?.code ?? ''}`);
  t.deepEqual(failed, []);
  t.true(apps.every((a) => a.status.release?.revision === head));
  t.is(server.requests.filter((r) => r.startsWith('POST') && r.includes('git-upload-pack')).length, REPOS, 'one fetch per app');
  t.is(server.peakUploadPacks(), 1, 'never more fetches at once than SLIPWAY_GIT_CONCURRENCY');
});
