/**
 * An app in Epinio's `models.App` shape (epinio/epinio `pkg/api/core/v1/models/app.go`),
 * what `epinio app list|show` decode. Its `status` is a string where Slipway's is an
 * object, so the two cannot share one answer: this one goes to Epinio's CLI only
 * (see {@link isEpinioClient}).
 */
import type { Context } from 'koa';
import type { App } from '../../../core/types.ts';
import { withoutUndefined } from '../../../core/without-undefined.ts';
import { toEpinioOrigin } from './epinio-origin.ts';

/**
 * Epinio's CLI by its requests' headers. Its Go client sets no User-Agent (Go's default
 * `Go-http-client/1.1`, or `/2.0` over HTTP/2) and no Accept header; Slipway's CLI
 * (Node's fetch), curl and browsers all send an Accept header. Only reads whose answer
 * has no shape both clients decode ask this; a body tells pushes apart.
 */
export function isEpinioClient(ctx: Pick<Context, 'get'>): boolean {
  return /^Go-http-client\/\d/.test(ctx.get('user-agent')) && ctx.get('accept') === '';
}

const ACTIVE = new Set(['pending', 'importing', 'staging']);

/** Epinio's `App` for a Slipway app (with its live `status.runtime`, when it has one). */
export function epinioApp(app: App) {
  const { metadata, spec, status } = app;
  const run = status.run;
  const staging = !!run && ACTIVE.has(run.phase);
  // A run that failed before it built anything failed its staging.
  const stageFailed = !!run && run.phase === 'failed' && !run.image;
  const release = status.release;
  const live = status.runtime;
  const failing = live?.phase === 'crashed' || live?.phase === 'degraded';
  const state = staging ? 'staging' : release ? (failing ? 'error' : 'running') : stageFailed ? 'error' : 'created';
  const routes = status.routes ?? spec.routes;
  return withoutUndefined({
    meta: { name: metadata.name, namespace: metadata.namespace, createdAt: metadata.createdAt || undefined },
    configuration: { instances: spec.instances, configurations: [] as string[], environment: spec.env, routes: spec.routes },
    origin: toEpinioOrigin(spec.origin),
    deployment: release && withoutUndefined({
      name: metadata.name,
      active: (live?.desired ?? spec.instances) > 0,
      createdAt: release.createdAt,
      desiredreplicas: live?.desired ?? spec.instances,
      readyreplicas: live?.ready ?? 0,
      replicas: {},
      stage_id: release.stageId,
      status: `${live?.ready ?? 0}/${live?.desired ?? spec.instances}`,
      routes,
    }),
    staging: withoutUndefined({ builder: spec.builder }),
    stagingstatus: staging ? 'active' : stageFailed ? 'failed' : run?.stageId || release ? 'done' : '',
    status: state,
    statusmessage: (stageFailed ? run?.error?.message : failing ? live?.message : undefined) ?? '',
    stage_id: run?.stageId ?? release?.stageId,
    image_url: release?.image ?? '',
  });
}
