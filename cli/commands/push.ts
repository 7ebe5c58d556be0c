/**
 * `slipway push`: make sure the namespace and app exist, then hand the server the
 * source — a packed directory streamed to `…/store`, or a git URL to `…/import-git` —
 * and, when the server has a runtime, start a deployment run (`…/deployments`) and
 * follow it to its URL. Without a runtime (or with `--no-deploy`) it stops at storing.
 * A folder with nothing to push is refused before any request, and an app this push
 * created is deleted again when its source could not be stored (issue 13: no empty apps).
 */
import { stat } from 'node:fs/promises';
import type { ApiClient } from '../api-client.ts';
import { CliError, toCliError, usageError } from '../cli-error.ts';
import { DEFAULT_DEPLOY_TIMEOUT_MS, followRun, runFailure } from '../follow-run.ts';
import { loadManifest } from '../manifest.ts';
import type { Output } from '../output.ts';
import type { SourceListing } from '../list-source-entries.ts';
import { listSource, packDirectory } from '../pack-directory.ts';
import { originOf, planPush, type PushFlags, type PushPlan } from '../push-plan.ts';

/** `slipway push` options: the flags plus an optional manifest path. */
export interface PushOptions extends PushFlags {
  manifest?: string;
  /** False: only store the source (`--no-deploy`). Default true. */
  deploy?: boolean;
  /** Deadline for following the deployment (default 10 minutes). */
  timeoutMs?: number;
}


/** What push needs from its surroundings. */
export interface PushDeps {
  api: ApiClient;
  output: Output;
  cwd: string;
  /** Stream the build output to stderr (human mode; default true). */
  showLogs?: boolean;
  /** Ctrl-C: stop following the deployment. */
  signal?: AbortSignal;
  /** Poll interval of the run (tests). */
  pollMs?: number;
}

/** What push did. `--output json` prints {@link pushJson} of it. */
export interface PushResult {
  app: string;
  namespace: string;
  /** True when the app was created, false when an existing one was updated. */
  created: boolean;
  origin: 'path' | 'git' | 'container';
  blobuid?: string;
  /** Full commit SHA (git). */
  revision?: string;
  /** Branch the revision was found on (git). */
  branch?: string;
  /** Archive bytes as stored (path). */
  size?: number;
  /** Archive entries packed (path). */
  entries?: number;
  image?: string;
  runtime: 'none' | 'local' | 'kubernetes';
  /** The deployment run's id, when push deployed. */
  run?: string;
  /** The release the deployment created. */
  release?: number;
  routes?: string[];
  urls?: string[];
}

/**
 * The JSON contract of `slipway push --output json`: blobuid, and revision and branch
 * for git; plus release, urls and run when a deployment happened.
 */
export function pushJson(result: PushResult): Record<string, unknown> {
  const deployed = result.run === undefined ? {} : { release: result.release, urls: result.urls ?? [], run: result.run };
  if (result.origin === 'git') return { blobuid: result.blobuid, revision: result.revision, branch: result.branch, ...deployed };
  if (result.origin === 'container') return { image: result.image, ...deployed };
  return { blobuid: result.blobuid, ...deployed };
}

/**
 * A push that stored its source and started (or tried to start) a deployment that then
 * failed, timed out or was interrupted. It carries what was done, so the entry prints a
 * summary on stdout as well (scripts read stdout: with `--output json` it is
 * {@link pushFailureJson}), and the error on stderr as for every command.
 */
export class PushFailure extends CliError {
  readonly result: PushResult;

  constructor(error: CliError, result: PushResult) {
    super(error.message, { exitCode: error.exitCode, code: error.code, hint: error.hint, status: error.status, data: error.data, cause: error });
    this.name = 'PushFailure';
    this.result = result;
  }
}

/** stdout of a failed push with `--output json`: {@link pushJson} of what was done, plus `error`. */
export function pushFailureJson(failure: PushFailure): Record<string, unknown> {
  return { ...pushJson({ ...failure.result, run: undefined }), ...(failure.result.run ? { run: failure.result.run } : {}), error: { code: failure.code, message: failure.message } };
}

/** Refuses a missing source folder before any request, so a typo creates nothing. */
async function assertDirectory(dir: string): Promise<void> {
  const stats = await stat(dir).catch(() => undefined);
  if (!stats?.isDirectory()) throw usageError(`${dir} is not a directory`, 'check --path or origin.path in the manifest');
}

async function ensureNamespace(api: ApiClient, namespace: string): Promise<void> {
  const namespaces = await api.listNamespaces();
  if (namespaces.some((ns) => ns.name === namespace)) return;
  try {
    await api.createNamespace(namespace);
  } catch (error) {
    // Someone else created it meanwhile: that is what we wanted.
    if (!(error instanceof CliError && error.code === 'namespace_exists')) throw error;
  }
}

async function createOrUpdate(api: ApiClient, plan: PushPlan): Promise<boolean> {
  const body = { configuration: plan.configuration, origin: originOf(plan.source) };
  try {
    await api.createApp(plan.namespace, { name: plan.name, ...body });
    return true;
  } catch (error) {
    if (!(error instanceof CliError && error.code === 'app_exists')) throw error;
  }
  await api.updateApp(plan.namespace, plan.name, body);
  return false;
}

async function storeDirectory(deps: PushDeps, plan: PushPlan, dir: string, listing: SourceListing): Promise<Pick<PushResult, 'blobuid' | 'size' | 'entries'>> {
  const { api, output } = deps;
  let bar: ReturnType<NonNullable<Output['progress']>> | undefined;
  const packed = await packDirectory(dir, { listing, onProgress: (done) => bar?.update(done) });
  for (const path of packed.skipped) output.err(`skipping ${path}: not a file, folder or symlink`);
  bar = output.progress?.('uploading', packed.bytes);
  let packFailure: unknown;
  packed.stream.on('error', (error) => { packFailure = error; });
  try {
    const stored = await api.storeSource(plan.namespace, plan.name, packed.stream);
    bar?.update(packed.bytes);
    return { blobuid: stored.blobuid, size: stored.size, entries: packed.entries };
  } catch (error) {
    // A file that could not be read aborts the upload; report that, not the network.
    throw packFailure ?? error;
  } finally {
    bar?.stop();
    packed.stream.destroy();
  }
}

/** Stores the source (upload or git import); the app has been created or updated. */
async function storeSource(deps: PushDeps, plan: PushPlan, listing: SourceListing | undefined, result: PushResult): Promise<void> {
  const source = plan.source;
  if (source.kind === 'path') {
    Object.assign(result, await storeDirectory(deps, plan, source.dir, listing!));
  } else if (source.kind === 'git') {
    const request = { giturl: source.url, gitrev: source.revision, ...(source.subdir !== undefined ? { subdir: source.subdir } : {}) };
    const stored = await deps.api.importGit(plan.namespace, plan.name, request);
    Object.assign(result, { blobuid: stored.blobuid, revision: stored.revision, branch: stored.branch });
  } else {
    result.image = source.image;
  }
}

/**
 * Deletes the app this push created when nothing could be stored in it, so a failed
 * first push (unreachable git host, bad URL) leaves no empty app in `apps list`. A
 * failed delete is only a warning: the push's own error is what the user must see.
 */
async function removeCreatedApp(deps: PushDeps, plan: PushPlan): Promise<void> {
  try {
    await deps.api.deleteApp(plan.namespace, plan.name);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.output.err(`warning: could not delete the app ${plan.name} this push created (${reason}); delete it with \`slipway apps delete ${plan.name} -n ${plan.namespace}\``);
  }
}

/** Runs `slipway push`. Usage problems (an empty folder among them) throw exit-2 errors before any request is made. */
export async function push(options: PushOptions, deps: PushDeps): Promise<PushResult> {
  const { api, output } = deps;
  const loaded = await loadManifest(deps.cwd, options.manifest);
  for (const warning of loaded?.warnings ?? []) output.err(`warning: ${warning}`);
  const plan = planPush(options, loaded, deps.cwd);
  let listing: SourceListing | undefined;
  if (plan.source.kind === 'path') {
    await assertDirectory(plan.source.dir);
    listing = await listSource(plan.source.dir);
  }
  await ensureNamespace(api, plan.namespace);
  const created = await createOrUpdate(api, plan);
  const result: PushResult = { app: plan.name, namespace: plan.namespace, created, origin: plan.source.kind, runtime: 'none' };
  try {
    await storeSource(deps, plan, listing, result);
  } catch (error) {
    // Only an app created by this very push: an existing app keeps its earlier source.
    if (created) await removeCreatedApp(deps, plan);
    throw error;
  }
  result.runtime = (await api.info()).runtime;
  if (result.runtime === 'none' || options.deploy === false) return result;
  try {
    await deployPushed(options, deps, result);
  } catch (error) {
    throw new PushFailure(toCliError(error), result);
  }
  return result;
}

/** Starts the deployment of what was just stored and follows it; a failed run throws. */
async function deployPushed(options: PushOptions, deps: PushDeps, result: PushResult): Promise<void> {
  const { app, namespace } = result;
  const started = await deps.api.createDeployment(namespace, app, result.blobuid === undefined ? {} : { blobuid: result.blobuid });
  result.run = started.id;
  const { run, sawBuildOutput } = await followRun({
    namespace, app, runId: started.id, timeoutMs: options.timeoutMs ?? DEFAULT_DEPLOY_TIMEOUT_MS,
    showLogs: deps.showLogs ?? true, signal: deps.signal, pollMs: deps.pollMs,
  }, deps);
  if (run.phase === 'failed') throw runFailure(run, app, sawBuildOutput);
  Object.assign(result, { release: run.release, routes: run.routes ?? [], urls: run.urls ?? [] });
  result.revision ??= run.revision;
  result.branch ??= run.branch;
}
