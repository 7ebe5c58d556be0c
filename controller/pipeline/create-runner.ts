/**
 * Asynchronous runs (`POST …/deployments`, `POST …/rollback`): import (git origins)
 * → stage → deploy, one app at a time. Each app has one lane: at most one run active
 * and one queued; a newer request replaces the queued one and stops an active one
 * still importing or staging (both marked `superseded`), so a burst ends with the
 * newest. Every phase change is persisted on the app's status.
 */
import { randomUUID } from 'node:crypto';
import type { App, Release, Run, RuntimeState } from '../../core/types.ts';
import { readyFromRuntime, setConditions } from './app-conditions.ts';
import { isSlipwayError, SlipwayError } from '../../core/errors.ts';
import { nothingToDeploy } from '../../core/error-cases.ts';
import { redact } from '../../core/redact.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { requireApp } from './lookup.ts';
import { saveRun, withRun } from './run-records.ts';
import { stageApp } from './stage-app.ts';
import { deployApp, type DeployAppInput } from './deploy-app.ts';
import { importGit } from './import-git.ts';
import { newStageId } from './new-stage-id.ts';
import { restoreApp } from './restore-apps.ts';
import { recordedTarget, requestOf, targetOf, type RunRequest } from './run-request.ts';

export type { RunRequest } from './run-request.ts';

/** Told about every change of a run (commit statuses, metrics). Errors are logged, never thrown into the run. */
export type RunObserver = (namespace: string, app: string, run: Run) => void | Promise<void>;

interface Lane {
  active?: Promise<void>;
  /** The run `active` executes, and how to supersede it while it imports or stages. */
  current?: { run: Run; abort: AbortController; order: number };
  queued?: Queued;
}

/** A run waiting in its lane. `order` is its place among requests (0: recorded elsewhere or before a restart). */
interface Queued {
  run: Run;
  request: RunRequest;
  target?: Release;
  order: number;
}

/** Options of {@link createRunner}. */
export interface RunnerOptions {
  /**
   * Whether this process executes runs (default: always). On Kubernetes only the
   * leader does; on other replicas `start` records the run as pending and the leader
   * adopts it ({@link Runner.adopt}) when it sees the App change.
   */
  executes?: () => boolean;
}

/** Creates the runner; `start` answers as soon as the run is recorded. */
export function createRunner(deps: PipelineDeps, observers: RunObserver[] = [], options: RunnerOptions = {}) {
  const executes = options.executes ?? (() => true);
  /** Aborted by `stop()`: runs in flight end as `interrupted` instead of outliving the server. */
  const shutdown = new AbortController();
  const lanes = new Map<string, Lane>();
  /** Counts requests as they are recorded, so "newest" means the same as `startedAt` order even when saves finish out of order. */
  let arrivals = 0;
  /**
   * Runs `start` recorded and is about to queue. The status write that records one can
   * reach the controller (a watch event, a cached read: no API round trip in between)
   * before `start` queues it, and adopting it then would queue it twice (issue 12).
   */
  const starting = new Set<string>();
  const now = () => deps.clock.now().toISOString();

  async function update(namespace: string, app: string, run: Run, patch: Partial<Run>): Promise<void> {
    Object.assign(run, patch);
    await saveRun(deps.store, namespace, app, run, now());
    notify(namespace, app, run);
  }

  /** Deploys, and records the run as succeeded in the write that records the release (one status write, not two). */
  async function deployAndFinish(namespace: string, app: string, run: Run, input: DeployAppInput): Promise<void> {
    const finished = { ...run };
    await deployApp(deps, input, (current, deployed) => {
      Object.assign(finished, run, { phase: 'succeeded', release: deployed.release.number, routes: deployed.routes, urls: deployed.urls, finishedAt: now() });
      return withRuntime(withRun(current, finished, now()), input.stageId);
    });
    Object.assign(run, finished);
    notify(namespace, app, run);
  }

  /**
   * `app` with the runtime's state recorded too, when the runtime's cache shows the app
   * running as it should — what the controller's refresh would write a moment later
   * (refresh-runtime.ts), in the same status write (issue 12). Anything else — a cache
   * that still shows another release, or not all instances ready — is left to it.
   */
  function withRuntime(app: App, stageId: string): App {
    const cached = deps.runtime.cachedStatus?.(app.metadata.namespace, app.metadata.name);
    if (cached?.phase !== 'running' || cached.ready !== cached.desired || (cached.stageId !== undefined && cached.stageId !== stageId)) return app;
    const runtime: RuntimeState = { phase: cached.phase, desired: cached.desired, ready: cached.ready, restarts: app.status.runtime?.restarts ?? 0, ...(cached.message ? { message: cached.message } : {}) };
    return { ...app, status: { ...app.status, runtime, conditions: setConditions(app.status.conditions, [readyFromRuntime(app, runtime)], now()) } };
  }

  function notify(namespace: string, app: string, run: Run): void {
    for (const observe of observers) {
      Promise.resolve().then(() => observe(namespace, app, { ...run })).catch((error) =>
        deps.logger.warn({ namespace, app, run: run.id, err: redact(String(error)) }, 'a run observer failed'));
    }
  }

  async function execute(namespace: string, app: string, run: Run, request: RunRequest, target: Release | undefined, superseded: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([superseded, shutdown.signal]);
    /** Stops here when a newer run superseded this one; never once deploying began (a switch is atomic). */
    const stillWanted = () => {
      if (signal.aborted) throw signal.reason;
    };
    try {
      if (target) {
        await update(namespace, app, run, { phase: 'deploying', stageId: target.stageId, image: target.image, blobuid: target.blobuid, revision: target.revision, branch: target.branch });
        return await deployAndFinish(namespace, app, run, { namespace, app, stageId: target.stageId, image: target.image, release: target, signal: shutdown.signal });
      }
      const current = await requireApp(deps.store, namespace, app);
      let blobuid = request.kind === 'deploy' ? request.blobuid : undefined;
      let source = current.status.source;
      const origin = current.spec.origin;
      if (!blobuid && origin?.kind === 'container') {
        // A prebuilt image: nothing to import or stage.
        const stageId = newStageId(deps.clock.now());
        await update(namespace, app, run, { phase: 'deploying', stageId, image: origin.image });
        return await deployAndFinish(namespace, app, run, { namespace, app, stageId, image: origin.image, blobuid: '', signal: shutdown.signal });
      }
      if (!blobuid && origin?.kind === 'git') {
        await update(namespace, app, run, { phase: 'importing' });
        const wanted = request.kind === 'deploy' && request.revision ? request.revision : origin.revision ?? origin.branch ?? '';
        await update(namespace, app, run, { revision: request.kind === 'deploy' ? request.revision : undefined, branch: origin.branch });
        // The origin is the spec's own: a run never rewrites it (a GitOps tool owns the
        // spec, and a spec change would start another run), nor pins a watched branch.
        const imported = await importGit(deps, { namespace, app, url: origin.url, revision: wanted, subdir: origin.subdir, keepOrigin: true, branch: origin.branch, signal });
        stillWanted();
        blobuid = imported.blobuid;
        source = (await requireApp(deps.store, namespace, app)).status.source;
      }
      blobuid ??= source?.blobuid;
      if (!blobuid) throw nothingToDeploy(app, 'has no stored source; push one first ("slipway push")');
      const fromSource = source?.blobuid === blobuid ? source : undefined;
      // `start` may have recorded the run as staging already (straight from pending: one status write less).
      const stageId = run.phase === 'staging' && run.stageId && run.blobuid === blobuid ? run.stageId : newStageId(deps.clock.now());
      if (run.phase !== 'staging' || run.stageId !== stageId) await update(namespace, app, run, { phase: 'staging', blobuid, stageId, revision: fromSource?.revision, branch: fromSource?.branch });
      else notify(namespace, app, run);
      const staged = await stageApp(deps, { namespace, app, blobuid, stageId, signal });
      stillWanted();
      await update(namespace, app, run, { phase: 'deploying', image: staged.image });
      await deployAndFinish(namespace, app, run, { namespace, app, stageId, image: staged.image, blobuid, revision: fromSource?.revision, branch: fromSource?.branch, signal: shutdown.signal });
    } catch (thrown) {
      const error = signal.aborted ? signal.reason : thrown;
      const code = isSlipwayError(error) ? error.code : 'internal';
      const message = isSlipwayError(error) && error.expose ? redact(error.message) : 'an unexpected error occurred; the server log has the details';
      if (!isSlipwayError(error)) deps.logger.error({ namespace, app, run: run.id, err: redact(String((error as Error)?.stack ?? error)) }, 'run failed');
      await update(namespace, app, run, { phase: 'failed', error: { code, message }, finishedAt: now() }).catch((e) =>
        deps.logger.error({ namespace, app, run: run.id, err: String(e) }, 'could not record the failed run'));
    }
  }

  /**
   * The staging fields of a run that goes to staging as soon as it is queued: a deploy of
   * a stored source (not a rollback, a container image or a git import). Empty otherwise.
   */
  function stagingAtOnce(current: App, request: RunRequest, target: Release | undefined): Partial<Run> {
    if (target || request.kind !== 'deploy') return {};
    const origin = current.spec.origin;
    const source = current.status.source;
    const blobuid = request.blobuid ?? (origin?.kind === 'git' || origin?.kind === 'container' ? undefined : source?.blobuid);
    if (!blobuid) return {};
    const fromSource = source?.blobuid === blobuid ? source : undefined;
    return { phase: 'staging', blobuid, stageId: newStageId(deps.clock.now()), revision: fromSource?.revision, branch: fromSource?.branch };
  }

  async function pump(key: string, namespace: string, app: string): Promise<void> {
    const lane = lanes.get(key)!;
    if (lane.active) await lane.active;
    while (lane.queued) {
      const { run, request, target, order } = lane.queued;
      lane.queued = undefined;
      const abort = new AbortController();
      lane.current = { run, abort, order };
      lane.active = execute(namespace, app, run, request, target, abort.signal);
      await lane.active;
    }
    lane.active = undefined;
    lane.current = undefined;
    lanes.delete(key);
  }

    /**
   * Executes a run recorded as pending elsewhere (another replica, or before a
   * restart); a run this runner already holds is left alone. Resolves once queued.
   */
  async function adopt(namespace: string, app: string, run: Run): Promise<boolean> {
    const lane = lanes.get(`${namespace}/${app}`);
    if (run.phase !== 'pending' || starting.has(run.id) || lane?.current?.run.id === run.id || lane?.queued?.run.id === run.id) return false;
    try {
      const current = await requireApp(deps.store, namespace, app);
      await enqueue(namespace, app, { ...run }, requestOf(run), recordedTarget(current, run));
    } catch (error) {
      const code = isSlipwayError(error) ? error.code : 'internal';
      await update(namespace, app, { ...run }, { phase: 'failed', error: { code, message: redact((error as Error).message) }, finishedAt: now() });
    }
    return true;
  }

  async function idle(): Promise<void> {
    while (lanes.size) await Promise.all([...lanes.values()].map((l) => l.active));
  }

  /**
   * Puts a recorded run in its app's lane, superseding what it makes obsolete. The lane
   * is changed synchronously, before any await, so concurrent requests cannot overwrite
   * each other's place (ten parallel requests once left seven pending forever); only
   * then is the run that lost its place recorded as superseded.
   */
  async function enqueue(namespace: string, app: string, run: Run, request: RunRequest, target: Release | undefined, order = 0): Promise<void> {
    const key = `${namespace}/${app}`;
    const lane = lanes.get(key) ?? {};
    lanes.set(key, lane);
    const running = lane.current;
    const queued = lane.queued;
    // A request older than one already running or queued here would deploy older source after newer: it loses at once.
    const newer = [queued, running].find((other) => other && other.order > order);
    let loser: Run | undefined;
    if (newer) {
      loser = run;
    } else {
      loser = queued?.run;
      lane.queued = { run, request, target, order };
      // A newer revision supersedes one still importing or staging: its work is wasted.
      if (running && (running.run.phase === 'pending' || running.run.phase === 'importing' || running.run.phase === 'staging')) {
        running.abort.abort(new SlipwayError('superseded', `superseded by the newer run ${run.id}`, { status: 409, retry: 'stalled' }));
      }
    }
    if (!lane.active) void pump(key, namespace, app);
    if (loser) {
      const winner = loser === run ? newer!.run : run;
      await update(namespace, app, loser, { phase: 'failed', error: { code: 'superseded', message: `superseded by the newer run ${winner.id}` }, finishedAt: now() });
    }
  }

  /** Runs {@link restoreApp} as the app's lane's active work; runs queued meanwhile follow it. */
  function restoreInLane(namespace: string, app: string): Promise<boolean> {
    const key = `${namespace}/${app}`;
    const lane: Lane = {};
    lanes.set(key, lane);
    const restored = restoreApp(deps, namespace, app);
    lane.active = restored.then(() => {});
    void pump(key, namespace, app);
    return restored;
  }

  return {
    /** Records a pending run and queues it; validation errors throw before anything is recorded. */
    async start(namespace: string, app: string, request: RunRequest): Promise<Run> {
      const current = await requireApp(deps.store, namespace, app);
      const target = targetOf(current, request);
      const order = ++arrivals;
      const run: Run = {
        id: randomUUID(), kind: request.kind === 'rollback' ? 'rollback' : 'deploy', phase: 'pending', startedAt: now(),
        generation: current.metadata.generation,
        ...(request.kind === 'deploy' && request.blobuid ? { blobuid: request.blobuid } : {}),
        ...(request.kind === 'deploy' && request.revision ? { revision: request.revision } : {}),
        ...(request.kind === 'deploy' && request.client ? { client: request.client } : {}),
        ...(target ? { release: target.number } : {}),
      };
      // A run this process starts at once, from a stored source, is recorded as staging in
      // its first write: `pending` would show for a moment and cost a status write (issue 12).
      if (executes() && !shutdown.signal.aborted && !lanes.has(`${namespace}/${app}`)) Object.assign(run, stagingAtOnce(current, request, target));
      starting.add(run.id);
      try {
        await saveRun(deps.store, namespace, app, run, now());
        if (executes() && !shutdown.signal.aborted) await enqueue(namespace, app, run, request, target, order);
      } finally {
        starting.delete(run.id);
      }
      return run;
    },

    adopt,

    /**
     * Deploys the app's recorded release again unless a run of it is active or queued
     * here (the Kubernetes controller, when a Deployment drifted from it). Resolves once
     * done: true when it ran and the release serves.
     */
    async restoreIfIdle(namespace: string, app: string): Promise<boolean> {
      if (!executes() || lanes.has(`${namespace}/${app}`)) return false;
      return restoreInLane(namespace, app);
    },

    /** Apps with a run (or a restore) active or queued here (metrics). */
    queued: () => lanes.size,

    /** Whether a run of the app is active or queued here. */
    busy(namespace: string, app: string): boolean {
      return lanes.has(`${namespace}/${app}`);
    },

    /**
     * After a start: every app with a serving release runs it again, each in its own
     * lane, so a deployment requested meanwhile waits for the restore and runs after it.
     * Resolves with how many apps run again.
     */
    async restore(): Promise<number> {
      const work: Promise<boolean>[] = [];
      for (const ns of await deps.store.listNamespaces()) {
        for (const app of await deps.store.listApps(ns.name)) {
          // An app someone is deploying (or restoring) already will run that instead.
          if (!app.status.release || lanes.has(`${ns.name}/${app.metadata.name}`)) continue;
          work.push(restoreInLane(ns.name, app.metadata.name));
        }
      }
      return (await Promise.all(work)).filter(Boolean).length;
    },

    /**
     * Shutting down: runs in flight stop and are recorded as `interrupted` (the deployed
     * release keeps serving); nothing new starts. Resolves when they have ended, or after
     * `graceMs`.
     */
    async stop(graceMs = 5_000): Promise<void> {
      shutdown.abort(new SlipwayError('interrupted', 'the server shut down while this run was in progress; push again to retry', { status: 503, retry: 'backoff', expose: true }));
      for (const lane of lanes.values()) lane.queued = undefined;
      await Promise.race([idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    },

    /** Waits until no run is active or queued (tests, shutdown). */
    idle,

    /**
     * Before an app is deleted: its queued run is dropped and its active one stopped
     * (one still importing or staging ends as `cancelled`; a switch already deploying
     * finishes), so no run deploys the app again after it is gone. Resolves when its
     * lane is empty.
     */
    async cancel(namespace: string, app: string): Promise<void> {
      const key = `${namespace}/${app}`;
      for (let lane = lanes.get(key); lane; lane = lanes.get(key)) {
        lane.queued = undefined;
        const current = lane.current;
        if (current && (current.run.phase === 'pending' || current.run.phase === 'importing' || current.run.phase === 'staging')) {
          current.abort.abort(new SlipwayError('cancelled', 'the app was deleted while this run was in progress', { status: 409, retry: 'stalled', expose: true }));
        }
        await lane.active;
        if (lanes.get(key) === lane && !lane.active) break;
      }
    },

    /**
     * After a restart (or on becoming the leader): runs that were in flight are marked
     * failed with the reason (their work died with the process that ran them); runs
     * still pending resume. The last deployed release serves: an app whose run died
     * while deploying may already have part of the new release out (a Deployment whose
     * image changed mid-rollout, found by bench/chaos), so its recorded release is
     * deployed again first, in its lane.
     */
    async recover(): Promise<number> {
      let interrupted = 0;
      const pending: Array<[string, string, Run]> = [];
      const cutMidDeploy = new Set<string>();
      for (const ns of await deps.store.listNamespaces()) {
        // Fresh: a new leader's cache may not have the last writes of the one before it yet.
        for (const app of await deps.store.listApps(ns.name, { fresh: true })) {
          const runs = new Map([...(app.status.runs ?? []), ...(app.status.run ? [app.status.run] : [])].map((r) => [r.id, r]));
          for (const run of runs.values()) {
            if (run.phase === 'succeeded' || run.phase === 'failed') continue;
            // Runs this process still holds are not interrupted (a leader that lost and regained its Lease).
            const lane = lanes.get(`${ns.name}/${app.metadata.name}`);
            if (lane?.current?.run.id === run.id || lane?.queued?.run.id === run.id) continue;
            if (run.phase === 'pending') {
              pending.push([ns.name, app.metadata.name, run]);
              continue;
            }
            interrupted += 1;
            if (run.phase === 'deploying' && app.status.release) cutMidDeploy.add(`${ns.name}/${app.metadata.name}`);
            await update(ns.name, app.metadata.name, { ...run }, {
              phase: 'failed', finishedAt: now(),
              error: { code: 'interrupted', message: `the server restarted while this run was ${run.phase}; push again to retry` },
            });
          }
        }
      }
      for (const key of cutMidDeploy) {
        if (lanes.has(key)) continue;
        const [namespace, app] = key.split('/') as [string, string];
        deps.logger.warn({ namespace, app }, 'a deploy was cut off mid-way: deploying the recorded release again');
        void restoreInLane(namespace, app);
      }
      // Oldest first, so that in each lane the newest pending run supersedes the older ones.
      pending.sort((a, b) => a[2].startedAt.localeCompare(b[2].startedAt));
      for (const [namespace, app, run] of pending) await adopt(namespace, app, run);
      return interrupted;
    },
  };
}

/** The runner's type. */
export type Runner = ReturnType<typeof createRunner>;
