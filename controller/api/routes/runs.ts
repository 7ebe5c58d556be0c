/**
 * Runs, releases and rollback — the runtime-agnostic pipeline's routes.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import { z } from 'zod';
import type { PipelineApi } from '../api-deps.ts';
import { requireApp } from '../../pipeline/lookup.ts';
import { findRun } from '../../pipeline/run-records.ts';
import { readBody } from '../parse-body.ts';
import { runNotFound } from '../../../core/error-cases.ts';
import { assertBlobuid } from '../../pipeline/blobuid.ts';
import { epinioOriginSchema, fromEpinioOrigin } from '../epinio/epinio-origin.ts';
import { isEpinioDeploy } from '../epinio/epinio-request.ts';
import { runAnswer } from '../epinio/epinio-deployment.ts';
import { applyEpinioBuild } from '../epinio/apply-epinio-build.ts';

/** Slipway's `{blobuid?}`, or Epinio's `AsyncDeployRequest` `{app, blobuid, builderimage?, image?, origin}`. */
const deploymentsSchema = z.object({
  blobuid: z.string().optional(),
  app: z.object({ name: z.string().max(253).optional(), namespace: z.string().max(253).optional() }).loose().optional(),
  builderimage: z.string().max(1024).optional(),
  image: z.string().max(1024).optional(),
  origin: epinioOriginSchema.optional(),
}).strict();
const rollbackSchema = z.object({ release: z.number().int().min(1).optional() }).strict();

/**
 * POST /api/v1/namespaces/:ns/applications/:app/deployments {blobuid?} — 202 {id}; runs
 * import → stage → deploy. Epinio's body (with `app`, `origin`, `builderimage`) gets
 * Epinio's `AsyncDeployStatus` and a `Location` to poll.
 */
export function deploymentsCreateRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const epinio = isEpinioDeploy(ctx);
    const body = readBody(ctx, deploymentsSchema);
    const { ns, app } = ctx.params;
    const origin = fromEpinioOrigin(body.origin);
    const blobuid = body.blobuid ? assertBlobuid(body.blobuid) : undefined;
    if (epinio) await applyEpinioBuild(pipeline().deps.store, ns, app, { builder: body.builderimage, image: body.image, origin, blobuid });
    const run = await pipeline().runner.start(ns, app, { kind: 'deploy', blobuid, ...(epinio ? { client: 'epinio' as const } : {}) });
    ctx.status = 202;
    ctx.set('Location', `/api/v1/namespaces/${ns}/applications/${app}/deployments/${run.id}`);
    ctx.body = epinio ? runAnswer(run, ns, app) : { id: run.id, namespace: ns, app };
  };
}

/** GET /api/v1/namespaces/:ns/applications/:app/deployments/:id — the run, persisted across restarts. */
export function deploymentShowRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const app = await requireApp(pipeline().deps.store, ctx.params.ns, ctx.params.app);
    const run = findRun(app, ctx.params.id);
    if (!run) throw runNotFound(ctx.params.app, ctx.params.id);
    ctx.body = runAnswer(run, ctx.params.ns, ctx.params.app);
  };
}

/** GET /api/v1/namespaces/:ns/applications/:app/releases — newest first, with the current one marked. */
export function releasesRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const app = await requireApp(pipeline().deps.store, ctx.params.ns, ctx.params.app);
    ctx.body = (app.status.releases ?? []).map((r) => ({ ...r, current: r.number === app.status.release?.number }));
  };
}

/** POST /api/v1/namespaces/:ns/applications/:app/rollback {release?} — 202 {id}; redeploys without rebuilding. */
export function rollbackRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const { release } = readBody(ctx, rollbackSchema);
    const run = await pipeline().runner.start(ctx.params.ns, ctx.params.app, { kind: 'rollback', release });
    ctx.status = 202;
    ctx.body = { id: run.id, namespace: ctx.params.ns, app: ctx.params.app };
  };
}
