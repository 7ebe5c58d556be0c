/**
 * The watcher on real parts: a git server running `git http-backend` (protocol v0/v1,
 * so a ref listing is one `GET info/refs` and any `POST git-upload-pack` is a fetch),
 * the git adapter, a file state store and the runner on a fake runtime.
 */
import { join } from 'node:path';
import { createFileStateStore } from '../../../controller/adapters/state/file-state-store.ts';
import { createFsBlobStore } from '../../../controller/adapters/blob/fs-blob-store.ts';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { createRunner, type RunObserver } from '../../../controller/pipeline/create-runner.ts';
import { createStageTracker } from '../../../controller/pipeline/stage-tracker.ts';
import { createWatcher, type WatcherDeps } from '../../../controller/watch/create-watcher.ts';
import { systemClock } from '../../../core/ports/clock.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import type { GitSource } from '../../../core/ports/git-source.ts';
import type { App, GitOrigin } from '../../../core/types.ts';
import { createFakeRuntime } from '../../helpers/fake-runtime.ts';
import { createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer } from '../../helpers/git-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

/** The namespace of the rig's apps. */
export const NS = 'workspace';

/** Starts a rig with one repository `acme/web` holding one commit on `main`. */
export async function startWatchRig(options: { observers?: RunObserver[]; watcher?: Partial<WatcherDeps> } = {}) {
  const temp = await makeTempDir('slipway-watch-');
  const root = join(temp.dir, 'repos');
  await createBareRepo(root, 'acme/web');
  const server = await startGitServer({ root, protocolV2: false });
  const work = await createWorkRepo();
  const repoUrl = `${server.url}/acme/web.git`;
  const store = createFileStateStore({ dir: join(temp.dir, 'state'), clock: systemClock });
  await store.createNamespace(NS);
  const adapter = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 10_000, tmpDir: temp.dir,
    limits: { archiveEntries: 10_000, unpackedBytes: 1 << 28 },
  });
  const counts = { resolves: 0, archives: 0 };
  const git: GitSource = {
    resolve: (...args) => { counts.resolves += 1; return adapter.resolve(...args); },
    archive: (request) => { counts.archives += 1; return adapter.archive(request); },
  };
  const runtime = createFakeRuntime();
  const runner = createRunner({
    store, blobs: createFsBlobStore({ dir: join(temp.dir, 'blobs') }), git, runtime, clock: systemClock,
    logger: silentLogger, stages: createStageTracker(), systemDomain: 'localhost',
  }, options.observers);
  const watcher = createWatcher({ store, git, runner, clock: systemClock, logger: silentLogger, concurrency: 8, ...options.watcher });

  let n = 0;
  /** Commits a change on `main` and pushes it; returns the new head. */
  async function push(): Promise<string> {
    n += 1;
    await work.write({ 'index.js': `console.log(${n})\n` });
    const sha = await work.commit(`change ${n}`);
    await work.push(repoUrl, ['main']);
    return sha;
  }

  /** Creates a watched app on `acme/web` main. */
  async function addApp(name: string, origin: Partial<GitOrigin> = {}): Promise<App> {
    const app = await store.createApp({
      metadata: { namespace: NS, name, resourceVersion: '', generation: 0, createdAt: '' },
      spec: { instances: 1, env: {}, routes: [], origin: { kind: 'git', url: repoUrl, branch: 'main', watch: true, ...origin } },
    });
    await watcher.refresh(NS, name);
    return app;
  }

  /** Fetches from the git server so far (a ref listing makes none). */
  const fetches = () => server.requests.filter((r) => r.startsWith('POST') && r.includes('git-upload-pack')).length;

  return {
    store, server, runtime, runner, watcher, counts, repoUrl, push, addApp, fetches,
    serving: async (name: string) => (await store.getApp(NS, name))?.status.release?.revision,
    async close() {
      await watcher.stop();
      await watcher.idle();
      await runner.idle();
      await server.close();
      await work.cleanup();
      await temp.cleanup();
    },
  };
}

/** The rig's type. */
export type WatchRig = Awaited<ReturnType<typeof startWatchRig>>;
