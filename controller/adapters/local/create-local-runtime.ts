/**
 * The local runtime: the embedded default. Stage unpacks a stored source into a release
 * folder and builds it like a buildpack would (build/); deploy runs the release as
 * supervised processes (run/) and points the app's routes at them through the router
 * (router/), which shares the API's port. Layout under `dataDir`:
 *   releases/<ns>/<app>/<stageId>/       the unpacked, built source (the app's cwd)
 *   releases/<ns>/<app>/<stageId>.json   its ReleasePlan and size (outside the folder the app can write)
 *   staging/<ns>/<stageId>.ndjson        the stage's log, kept after it ends
 *   cache/                               npm/yarn/pnpm caches and fetched yarn/pnpm versions, shared by builds
 *   app-logs/<ns>/<app>/<stageId>.ndjson the release's output (bounded, app-log-files.ts), for app logs after a restart
 *   run/id, run/processes/<pid>-<start>.json  marks of the processes it started (run/process-records.ts)
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BlobStore } from '../../../core/ports/blob-store.ts';
import { sourceKey } from '../../../core/ports/blob-store.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import type { Runtime } from '../../../core/ports/runtime.ts';
import type { ArchiveFormat } from '../../../core/types.ts';
import type { ArchiveLimits } from '../../archive/archive-limits.ts';
import { safeUnpack } from '../../archive/safe-unpack.ts';
import { stageFailed } from '../../../core/error-cases.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import { buildRelease } from './build/build-release.ts';
import type { ReleasePlan } from './build/release-plan.ts';
import { createRouter } from './router/create-router.ts';
import { createStagingLogs } from './staging-logs.ts';
import { createDeployments } from './deployments.ts';
import { killOrphans } from './kill-orphans.ts';
import { directorySize } from './directory-size.ts';
import { openProcessRecords } from './run/process-records.ts';
import { createAppLogFiles } from './app-log-files.ts';

/** Settings of {@link createLocalRuntime}. */
export interface LocalRuntimeOptions {
  blobs: BlobStore;
  logger: Logger;
  dataDir: string;
  tmpDir: string;
  systemDomain: string;
  limits: ArchiveLimits;
  /** Folder of the node binary apps and builds use (the server's own). */
  nodeBinDir: string;
  /** PATH searched for npm, yarn, pnpm (the server's own). */
  basePath?: string;
  /** The server's environment: its proxy, CA and package-manager settings reach builds (build/pass-through-env.ts). */
  serverEnv?: Record<string, string | undefined>;
  /** More names of `serverEnv` builds see (`SLIPWAY_BUILD_PASS_ENV`). */
  extraPassEnv?: readonly string[];
  buildTimeoutMs?: number;
  readyTimeoutMs?: number;
  graceMs?: number;
}

/** What `<stageId>.json` holds: the plan, and the release folder's size (absent in files written before sizes were kept). */
type StoredPlan = ReleasePlan & { sizeBytes?: number };

/** Built releases kept per app (rollback can reach the last 10 releases; a few spare for failed deploys). */
const KEEP_RELEASES = 12;

const FORMATS: Record<string, ArchiveFormat> = { 'application/gzip': 'tar.gz', 'application/x-tar': 'tar', 'application/zip': 'zip' };

/** The local runtime and the hooks the HTTP server needs (router, port, shutdown). */
export async function createLocalRuntime(options: LocalRuntimeOptions) {
  const releasesDir = join(options.dataDir, 'releases');
  await mkdir(releasesDir, { recursive: true });
  const records = await openProcessRecords(options.dataDir);
  const orphans = await killOrphans({ records, releasesDir });
  if (orphans.groups) options.logger.warn({ groups: orphans.groups, processes: orphans.labels }, 'stopped app and build processes left over from a server that did not shut down');
  const router = createRouter({ systemDomain: options.systemDomain });
  const staging = createStagingLogs(join(options.dataDir, 'staging'));
  let port = 0;
  const appLogs = createAppLogFiles(join(options.dataDir, 'app-logs'));
  const deployments = createDeployments({
    router, logger: options.logger, records, files: appLogs, readyTimeoutMs: options.readyTimeoutMs ?? 30_000, graceMs: options.graceMs ?? 10_000,
    urlOf: (route) => {
      const slash = route.indexOf('/');
      const host = slash < 0 ? route : route.slice(0, slash);
      return `http://${host}${port && port !== 80 ? `:${port}` : ''}${slash < 0 ? '/' : route.slice(slash)}`;
    },
  });
  const releaseDir = (ns: string, app: string, stageId: string) => join(releasesDir, ns, app, stageId);

  /** Removes all but the newest {@link KEEP_RELEASES} release folders of an app (stage ids sort by time). */
  async function pruneReleases(namespace: string, app: string, keep: string): Promise<void> {
    const appDir = join(releasesDir, namespace, app);
    const serving = deployments.status(namespace, app).stageId;
    const stageIds = (await readdir(appDir).catch(() => [] as string[])).filter((name) => !name.endsWith('.json')).sort();
    for (const stageId of stageIds.slice(0, Math.max(0, stageIds.length - KEEP_RELEASES))) {
      if (stageId === keep || stageId === serving) continue;
      await rm(join(appDir, stageId), { recursive: true, force: true });
      await rm(join(appDir, `${stageId}.json`), { force: true });
      await appLogs.remove(namespace, app, stageId);
    }
  }

  const runtime: Runtime = {
    kind: 'local',
    async stage(input) {
      const dir = releaseDir(input.namespace, input.app, input.stageId);
      const log = staging.open(input.namespace, input.stageId);
      try {
        log({ stream: 'system', text: `unpacking source ${input.blobuid}` });
        const blob = await options.blobs.get(sourceKey(input.namespace, input.app, input.blobuid));
        await rm(dir, { recursive: true, force: true });
        await safeUnpack({ body: blob.body, format: FORMATS[blob.contentType] ?? 'tar.gz', dest: dir, limits: options.limits, tmpDir: options.tmpDir });
        const plan = await buildRelease({
          dir, env: { ...input.env, ...records.env }, track: (pid, label) => records.track(pid, `${label} (${input.namespace}/${input.app} stage ${input.stageId})`), log, nodeBinDir: options.nodeBinDir, basePath: options.basePath,
          serverEnv: options.serverEnv, extraPassEnv: options.extraPassEnv, cacheDir: join(options.dataDir, 'cache'), timeoutMs: options.buildTimeoutMs ?? 15 * 60_000, signal: input.signal,
        });
        // Measured once here, after the build trimmed what it could; deploy reports it for `app releases`.
        const sizeBytes = await directorySize(dir);
        await writeFile(`${dir}.json`, JSON.stringify({ ...plan, sizeBytes } satisfies StoredPlan));
        log({ stream: 'system', text: plan.description });
        log({ stream: 'system', text: `release size: ${sizeBytes} bytes` });
        await staging.close(input.namespace, input.stageId, 'succeeded');
        await pruneReleases(input.namespace, input.app, input.stageId);
        return { stageId: input.stageId, image: `local/${input.namespace}/${input.app}:${input.stageId}` };
      } catch (error) {
        const failure = isSlipwayError(error) ? error : stageFailed(`staging failed: ${(error as Error).message}`);
        log({ stream: 'system', text: `staging failed: ${failure.message}` });
        await staging.close(input.namespace, input.stageId, 'failed');
        await rm(dir, { recursive: true, force: true });
        throw failure;
      }
    },
    stagingLogs: (namespace, stageId, logOptions) => staging.read(namespace, stageId, logOptions),
    async deploy(input) {
      const dir = releaseDir(input.namespace, input.app, input.stageId);
      const stored = JSON.parse(await readFile(`${dir}.json`, 'utf8').catch(() => 'null')) as StoredPlan | null;
      if (!stored) throw stageFailed(`release ${input.stageId} is not on this machine any more; push again to rebuild it`);
      const { sizeBytes, ...plan } = stored;
      const output = await deployments.deploy({ ...input, dir, plan });
      return sizeBytes === undefined ? output : { ...output, sizeBytes };
    },
    status: async (namespace, app) => deployments.status(namespace, app),
    logs: (namespace, app, logOptions) => deployments.logs(namespace, app, logOptions),
    restart: (namespace, app) => deployments.restart(namespace, app),
    async delete(namespace, app) {
      await deployments.remove(namespace, app);
      await rm(join(releasesDir, namespace, app), { recursive: true, force: true });
    },
  };

  return {
    runtime,
    handle: (req: IncomingMessage, res: ServerResponse) => router.handle(req, res),
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => router.handleUpgrade(req, socket, head),
    listening: (listeningPort: number) => { port = listeningPort; },
    close: async () => {
      await deployments.stopAll();
      router.close();
    },
  };
}
