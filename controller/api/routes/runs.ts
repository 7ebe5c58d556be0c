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

const deploymentsSchema = z.object({ blobuid: z.string().optional() }).strict();
const rollbackSchema = z.object({ release: z.number().int().min(1).optional() }).strict();

/** POST /api/v1/namespaces/:ns/applications/:app/deployments {blobuid?} — 202 {id}; runs import → stage → deploy. */
export function deploymentsCreateRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const { blobuid } = readBody(ctx, deploymentsSchema);
    const run = await pipeline().runner.start(ctx.params.ns, ctx.params.app, { kind: 'deploy', blobuid: blobuid && assertBlobuid(blobuid) });
    ctx.status = 202;
    ctx.body = { id: run.id, namespace: ctx.params.ns, app: ctx.params.app };
  };
}

/** GET /api/v1/namespaces/:ns/applications/:app/deployments/:id — the run, persisted across restarts. */
export function deploymentShowRoute(pipeline: () => PipelineApi): Middleware {
  return async (ctx) => {
    const app = await requireApp(pipeline().deps.store, ctx.params.ns, ctx.params.app);
    const run = findRun(app, ctx.params.id);
    if (!run) throw runNotFound(ctx.params.app, ctx.params.id);
    ctx.body = run;
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
