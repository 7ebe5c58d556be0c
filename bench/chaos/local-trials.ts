/**
 * Chaos trials on the embedded default: one `slipway server` process on one data
 * folder, three apps (node-hello pushed from a folder, static-site from a folder,
 * node-hello imported from a git server), and in each trial a few pushes started at
 * once, the server killed with SIGKILL at a random moment of them, started again on
 * the same folder, and checked once it settled.
 */
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '../../cli/api-client.ts';
import { packDirectory } from '../../cli/pack-directory.ts';
import type { App } from '../../core/types.ts';
import { getApp } from '../../test/helpers/app-request.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../../test/helpers/git-repo.ts';
import { startGitServer, type GitServer } from '../../test/helpers/git-server.ts';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../../test/helpers/server-process.ts';
import { makeTempDir } from '../../test/helpers/temp-dir.ts';
import { countFiles, descendants, stillRunning, tempBytes } from './leftovers.ts';
import { waitUntil, type TrialResult } from './report.ts';
import { appFolder, markedContent, TOKEN_FILE, type AppFolder, type Example } from './sources.ts';
import { readFile } from 'node:fs/promises';

const PASSWORD = 'chaos-admin-password';
const NAMESPACE = 'workspace';
const FINAL = new Set(['succeeded', 'failed']);

/** Settings of {@link runLocalTrials}. */
/** How long a (re)start may take before the bench gives up: generous, for a loaded machine. */
const START_TIMEOUT_MS = 180_000;
/** A restart slower than this is noted in the trial's row. */
const SLOW_START_MS = 10_000;

export interface LocalTrialOptions {
  trials: number;
  random: () => number;
  /** Kill moments are drawn from 0 to this many ms after the pushes start. */
  maxKillMs: number;
  /** How long a restart may take to settle before runs count as stuck. */
  settleMs: number;
  onResult: (result: TrialResult) => void;
}

interface PushTarget {
  app: string;
  example: Example;
  push(api: ApiClient, token: string): Promise<string>;
}

/** Runs the trials; resolves with their results. */
export async function runLocalTrials(options: LocalTrialOptions): Promise<TrialResult[]> {
  const data = await makeTempDir('slipway-chaos-data-');
  const repos = await makeTempDir('slipway-chaos-repos-');
  const folders: AppFolder[] = [];
  let git: GitServer | undefined;
  let work: WorkRepo | undefined;
  let server: ServerProcess | undefined;
  const serverEnv = {
    SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1',
    SLIPWAY_READY_TIMEOUT_MS: '10000', SLIPWAY_STOP_GRACE_MS: '1000', SLIPWAY_LOG_LEVEL: 'error',
  };
  try {
    await createBareRepo(repos.dir, 'hello');
    git = await startGitServer({ root: repos.dir });
    work = await createWorkRepo();
    const gitUrl = `${git.url}/hello.git`;
    const hello = join(REPO_ROOT, 'examples', 'node-hello');
    const gitOriginal = await readFile(join(hello, TOKEN_FILE['node-hello']), 'utf8');
    await work.write({ 'package.json': await readFile(join(hello, 'package.json'), 'utf8') });

    const fromFolder = async (app: string, example: Example): Promise<PushTarget> => {
      const folder = await appFolder(example);
      folders.push(folder);
      return {
        app, example,
        async push(api, token) {
          await folder.mark(token);
          const packed = await packDirectory(folder.dir);
          return (await api.storeSource(NAMESPACE, app, packed.stream)).blobuid;
        },
      };
    };
    const targets: PushTarget[] = [
      await fromFolder('hello', 'node-hello'),
      await fromFolder('site', 'static-site'),
      {
        app: 'githello', example: 'node-hello',
        async push(api, token) {
          await work!.write({ [TOKEN_FILE['node-hello']]: markedContent('node-hello', gitOriginal, token) });
          await work!.commit(token);
          await work!.push(gitUrl, ['main']);
          return (await api.importGit(NAMESPACE, 'githello', { giturl: gitUrl, gitrev: 'main' })).blobuid;
        },
      },
    ];

    server = await startServerProcess(serverEnv, START_TIMEOUT_MS);
    let api = client(server.url);
    /** Token each stored source serves, by blobuid. */
    const tokens = new Map<string, string>();
    for (const target of targets) {
      await api.createApp(NAMESPACE, { name: target.app }).catch(() => undefined);
      const blobuid = await target.push(api, `${target.app}-initial`);
      tokens.set(blobuid, `${target.app}-initial`);
      const run = await api.createDeployment(NAMESPACE, target.app, { blobuid });
      await waitUntil(async () => FINAL.has((await api.getDeployment(NAMESPACE, target.app, run.id)).phase), 60_000);
    }

    const results: TrialResult[] = [];
    for (let trial = 1; trial <= options.trials; trial++) {
      const notes: string[] = [];
      const stagesBefore = await countFiles(join(data.dir, 'runtime', 'staging'), '.ndjson');
      const releasesBefore = await releaseNumbers(api, targets);
      // One to three of the apps, pushed at once.
      const chosen = targets.filter(() => options.random() < 0.6);
      if (chosen.length === 0) chosen.push(targets[Math.floor(options.random() * targets.length)]!);
      let requested = 0;
      let uploading = 0;
      const killed = api;
      const pushing = chosen.map(async (target) => {
        const token = `${target.app}-t${trial}`;
        uploading++;
        const blobuid = await target.push(killed, token).finally(() => uploading--);
        tokens.set(blobuid, token);
        // Counted before the answer: a request the kill cut short may still have started a run.
        requested++;
        await killed.createDeployment(NAMESPACE, target.app, { blobuid });
      }).map((pushed) => pushed.catch(() => undefined)); // the kill fails them; no matter
      const killAfter = Math.round(options.random() * options.maxKillMs);
      await new Promise((resolve) => setTimeout(resolve, killAfter));
      const before = await releaseNumbers(api, targets).catch(() => releasesBefore);
      const at = [...(await activeRuns(api, targets).catch(() => [])).map((run) => run.split(' ')[1]), ...Array(uploading).fill('uploading')];
      const processes = await descendants(server.child.pid!);
      await server.stop('SIGKILL');
      await Promise.all(pushing);

      // On a machine loaded 20+ a start took over 30 s (empty stderr): a slow start is
      // noted in the trial's row instead of ending the bench.
      const restarting = performance.now();
      server = await startServerProcess(serverEnv, START_TIMEOUT_MS);
      const startMs = performance.now() - restarting;
      if (startMs > SLOW_START_MS) notes.push(`restart took ${(startMs / 1000).toFixed(1)} s`);
      api = client(server.url);
      const port = new URL(server.url).port;
      const settled = await waitUntil(async () => (await activeRuns(api, targets)).length === 0, options.settleMs);
      const stuck = settled ? [] : await activeRuns(api, targets);
      if (stuck.length) notes.push(`stuck: ${stuck.join(', ')}`);

      let lost = 0;
      for (const target of targets) {
        const floor = before.get(target.app) ?? 0;
        const serving = await waitUntil(async () => {
          const app = await api.getApp(NAMESPACE, target.app);
          const release = app.status?.release;
          if (!release || release.number < floor) return false;
          const url = app.status?.urls?.[0]?.replace(/:\d+\//, `:${port}/`);
          if (!url) return false;
          const answer = await getApp(url);
          const token = tokens.get(release.blobuid);
          return answer.status === 200 && (token === undefined || answer.body.includes(token));
        }, 5_000);
        if (!serving) {
          lost++;
          notes.push(`${target.app} lost release ≥ ${floor}`);
        }
      }
      const orphans = await stillRunning(processes);
      if (orphans.length) notes.push(`orphan pids ${orphans.map((p) => p.pid).join(' ')}`);
      const leftover = await tempBytes(data.dir);
      const temp = leftover.tmp + leftover.dotTmp;
      if (temp) notes.push(`temp: ${leftover.tmp} B in tmp/, ${leftover.dotTmp} B in .tmp files`);
      const stages = (await countFiles(join(data.dir, 'runtime', 'staging'), '.ndjson')) - stagesBefore;
      const releasesAfter = await releaseNumbers(api, targets);
      const releases = targets.reduce((sum, t) => sum + Math.max(0, (releasesAfter.get(t.app) ?? 0) - (releasesBefore.get(t.app) ?? 0)), 0);
      const duplicates = Math.max(0, stages - requested, releases - requested);
      if (duplicates) notes.push(`${stages} stages, ${releases} releases for ${requested} pushes`);
      const result: TrialResult = {
        trial, moment: `${killAfter} ms (${at.length ? at.sort().join(',') : 'idle'})`, pushes: requested, releasesLost: lost, runsStuck: stuck.length,
        orphans: orphans.length, tempBytes: temp, duplicateBuilds: duplicates, notes,
      };
      results.push(result);
      options.onResult(result);
    }
    return results;
  } finally {
    await server?.stop();
    await git?.close();
    await work?.cleanup();
    await Promise.all(folders.map((f) => f.cleanup()));
    await repos.cleanup();
    await data.cleanup();
  }
}

function client(url: string): ApiClient {
  return createApiClient({ url, user: 'admin', password: PASSWORD });
}

async function releaseNumbers(api: ApiClient, targets: PushTarget[]): Promise<Map<string, number>> {
  const numbers = new Map<string, number>();
  for (const target of targets) numbers.set(target.app, (await api.getApp(NAMESPACE, target.app)).status?.release?.number ?? 0);
  return numbers;
}

/** "app/run-id phase" of every run not in a final phase. */
async function activeRuns(api: ApiClient, targets: PushTarget[]): Promise<string[]> {
  const active: string[] = [];
  for (const target of targets) {
    const app: App = await api.getApp(NAMESPACE, target.app);
    for (const run of app.status?.runs ?? []) if (!FINAL.has(run.phase)) active.push(`${target.app}/${run.id} ${run.phase}`);
  }
  return active;
}
