/**
 * The runtime's routes: stage, deploy, staging logs, app logs, restart. They work the
 * same on every runtime; without one they answer 409 `no_runtime`.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import { z } from 'zod';
import type { PipelineApi } from '../api-deps.ts';
import type { PipelineDeps } from '../../pipeline/pipeline-deps.ts';
import { requireApp, requireNamespace } from '../../pipeline/lookup.ts';
import { stageApp } from '../../pipeline/stage-app.ts';
import { deployApp } from '../../pipeline/deploy-app.ts';
import { readBody } from '../parse-body.ts';
import { queryFlag, sendNdjson } from '../ndjson.ts';
import { requestSignal } from '../request-signal.ts';
import { assertBlobuid } from '../../pipeline/blobuid.ts';
import { stageNotFound } from '../../../core/error-cases.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { Release, Run } from '../../../core/types.ts';
import { epinioOriginSchema } from '../epinio/epinio-origin.ts';
import { applyEpinioBuild } from '../epinio/apply-epinio-build.ts';

/** Epinio's `app` reference in stage and deploy bodies: the path already names the app. */
const appRef = z.object({ name: z.string().max(253).optional(), namespace: z.string().max(253).optional() }).loose().optional();
/** Slipway's `{blobuid?}`, or Epinio's `StageRequest` `{app, blobuid, builderimage?}`. */
const stageSchema = z.object({ blobuid: z.string().optional(), app: appRef, builderimage: z.string().max(1024).optional() }).strict();
/** `{stage:{id}, image}`, plus Epinio's `app` and `origin` (already recorded by store or import-git). */
const deploySchema = z.object({
  stage: z.object({ id: z.string().regex(/^[a-z0-9]{1,40}$/, 'a stage id as returned by stage') }),
  image: z.string().min(1).max(1024),
  app: appRef,
  origin: epinioOriginSchema.optional(),
}).strict();
const STAGE_ID = /^[a-z0-9]{1,40}$/;

/** POST …/applications/:app/stage {blobuid?} → {stage:{id}, image} once built. */
export function stageRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const { blobuid, builderimage } = readBody(ctx, stageSchema);
    if (builderimage) await applyEpinioBuild(pipeline().deps.store, ctx.params.ns, ctx.params.app, { builder: builderimage });
    const staged = await stageApp(pipeline().deps, { namespace: ctx.params.ns, app: ctx.params.app, blobuid: blobuid && assertBlobuid(blobuid), signal: requestSignal(ctx) });
    ctx.body = { stage: { id: staged.stageId }, image: staged.image };
  };
}

/** POST …/applications/:app/deploy {stage:{id}, image} → {routes, urls, release}; `routes` is also what Epinio's CLI prints. */
export function deployRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const body = readBody(ctx, deploySchema);
    const deployed = await deployApp(pipeline().deps, { namespace: ctx.params.ns, app: ctx.params.app, stageId: body.stage.id, image: body.image });
    ctx.body = { routes: deployed.routes, urls: deployed.urls, release: deployed.release.number };
  };
}

/** GET /api/v1/namespaces/:ns/staging/:id/logs?follow= — ndjson log lines of a stage. */
export function stagingLogsRoute(pipeline: () => PipelineApi, heartbeatMs?: number): Middleware {
  return async (ctx) => {
    await requireStage(pipeline().deps, ctx.params.ns, ctx.params.id);
    const lines = pipeline().deps.runtime.stagingLogs(ctx.params.ns, ctx.params.id, { follow: queryFlag(ctx, 'follow'), signal: requestSignal(ctx) });
    sendNdjson(ctx, lines, heartbeatMs);
  };
}

/**
 * Refuses (404) a stage nobody knows, as `…/complete` does, rather than answer an empty
 * log: a running stage, or one a run or release of the namespace recorded.
 */
export async function requireStage(deps: Pick<PipelineDeps, 'store' | 'stages'>, namespace: string, stageId: string): Promise<void> {
  await requireNamespace(deps.store, namespace);
  if (!STAGE_ID.test(stageId)) throw stageNotFound(namespace, stageId);
  if (!deps.stages.get(namespace, stageId) && !(await recordedStage(deps.store, namespace, stageId))) throw stageNotFound(namespace, stageId);
}

/**
 * GET /api/v1/namespaces/:ns/staging/:id/complete — waits (up to ?timeout= seconds,
 * default 300) for the stage to end → `{stage, phase, status}`. `status` is Epinio's
 * `models.Response`: `ok` once built, else the phase; its v1.13 CLI deploys after any 200.
 */
export function stagingCompleteRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const { deps } = pipeline();
    await requireNamespace(deps.store, ctx.params.ns);
    const timeoutMs = Math.min(Number(ctx.query.timeout ?? 300) || 300, 3600) * 1000;
    const tracked = deps.stages.get(ctx.params.ns, ctx.params.id);
    if (tracked) await Promise.race([tracked.done, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    const state = deps.stages.get(ctx.params.ns, ctx.params.id);
    if (state) {
      ctx.body = { stage: { id: ctx.params.id }, phase: state.phase, status: state.phase === 'succeeded' ? 'ok' : state.phase, ...(state.error ? { error: state.error } : {}) };
      return;
    }
    const recorded = await recordedStage(deps.store, ctx.params.ns, ctx.params.id);
    if (!recorded) throw stageNotFound(ctx.params.ns, ctx.params.id);
    if ('number' in recorded) {
      ctx.body = { stage: { id: ctx.params.id }, phase: 'succeeded', status: 'ok' };
      return;
    }
    const phase = recorded.phase === 'staging' ? 'running' : recorded.phase === 'failed' && !recorded.image ? 'failed' : 'succeeded';
    ctx.body = { stage: { id: ctx.params.id }, phase, status: phase === 'succeeded' ? 'ok' : phase, ...(phase === 'failed' && recorded.error ? { error: recorded.error } : {}) };
  };
}

/** The run (or, once its run was pruned, the release) of the namespace that recorded stage `id`. */
async function recordedStage(store: StateStore, namespace: string, id: string): Promise<Run | Release | undefined> {
  for (const app of await store.listApps(namespace)) {
    const run = [app.status.run, ...(app.status.runs ?? [])].find((r) => r?.stageId === id);
    if (run) return run;
    const release = app.status.releases?.find((r) => r.stageId === id);
    if (release) return release;
  }
  return undefined;
}

/** GET …/applications/:app/logs?follow=&tail= — ndjson log lines of the app's instances. */
export function appLogsRoute(pipeline: () => PipelineApi, heartbeatMs?: number): Middleware {
  return async (ctx) => {
    const { deps } = pipeline();
    await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const tail = ctx.query.tail === undefined ? 100 : Math.max(0, Math.min(Number(ctx.query.tail) || 0, 10_000));
    sendNdjson(ctx, deps.runtime.logs(ctx.params.ns, ctx.params.app, { follow: queryFlag(ctx, 'follow'), tail, signal: requestSignal(ctx) }), heartbeatMs);
  };
}

/** POST …/applications/:app/restart — rolling restart of the running release. */
export function restartRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const { deps } = pipeline();
    await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    await deps.runtime.restart(ctx.params.ns, ctx.params.app);
    ctx.body = { restarted: ctx.params.app };
  };
}
