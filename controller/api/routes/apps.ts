/**
 * Application CRUD routes (`/api/v1/namespaces/:ns/applications[/:app]`).
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import { groupPreviews } from '../../../core/group-previews.ts';
import { normaliseRepoUrl } from '../../../core/repo-url.ts';
import { deleteApp as removeApp } from '../../pipeline/delete-app.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { App, AppSpec, Origin } from '../../../core/types.ts';
import type { ApiDeps } from '../api-deps.ts';
import { assertWatchable } from '../../pipeline/assert-watchable.ts';
import { assertNewAppName } from '../../../core/names.ts';
import { assertIntervalHonoured } from '../../watch/parse-interval.ts';
import type { Runtime } from '../../../core/ports/runtime.ts';
import { withoutUndefined } from '../../../core/without-undefined.ts';
import { readBody } from '../parse-body.ts';
import { appCreateSchema, appUpdateSchema, type configurationSchema } from '../schemas.ts';
import { requireApp, requireNamespace } from '../../pipeline/lookup.ts';
import type { z } from 'zod';
import type { Context } from 'koa';
import { assertRoutesFree } from '../../pipeline/app-routes.ts';
import { currentUser, mayAccess, mayManageNamespaces } from '../namespace-access.ts';
import { assertNoEpinioExtras, EPINIO_OK, isEpinioCreate, isEpinioUpdate } from '../epinio/epinio-request.ts';
import { epinioApp, isEpinioClient } from '../epinio/epinio-app.ts';
import { invalidRequest } from '../../../core/error-cases.ts';
import { createAppListBody, type ListHistory } from '../app-list-body.ts';
import { Readable } from 'node:stream';

type Configuration = z.infer<typeof configurationSchema>;

/** Applies an Epinio-style `configuration` onto a spec. */
export function applyConfiguration(spec: AppSpec, configuration: Configuration = {}): AppSpec {
  return withoutUndefined({
    ...spec,
    instances: configuration.instances ?? spec.instances,
    env: configuration.environment ?? spec.env,
    routes: configuration.routes ?? spec.routes,
    builder: configuration.builder ?? spec.builder,
    secretEnv: configuration.secretEnv ?? spec.secretEnv,
  });
}

/** Adds what the runtime sees right now (`status.runtime`) to an app that has a release. */
export async function withLiveStatus(app: App, runtime: Runtime | undefined): Promise<App> {
  if (!runtime || !app.status.release) return app;
  const live = await runtime.status(app.metadata.namespace, app.metadata.name).catch(() => undefined);
  if (!live) return app;
  const { stageId: _stageId, ...state } = live;
  return { ...app, status: { ...app.status, runtime: withoutUndefined(state) } };
}

/**
 * What a listing shows of the runtime: the runtime's cached view when it keeps one
 * (Kubernetes: a thousand apps must not cost a thousand requests, issue 12) with the
 * restarts last recorded on the App, else its live status.
 */
export async function withListStatus(app: App, runtime: Runtime | undefined): Promise<App> {
  if (!app.status.release) return app;
  const cached = runtime?.cachedStatus?.(app.metadata.namespace, app.metadata.name);
  if (!cached) return withLiveStatus(app, runtime);
  const { stageId: _stageId, ...state } = cached;
  const restarts = app.status.runtime?.restarts ?? state.restarts;
  return { ...app, status: { ...app.status, runtime: withoutUndefined({ ...state, restarts }) } };
}

/**
 * What a listing shows of each app (ADR 0007): its summary, or with `?history=full` the
 * whole App with `status.runs` and `status.releases` (for scripts that read them from a
 * listing; `GET …/applications/:app` has them too).
 */
function listHistory(ctx: Context): ListHistory {
  const asked = ctx.query.history;
  if (asked === undefined || asked === 'summary' || asked === 'full') return asked ?? 'summary';
  throw invalidRequest('history must be summary (the default) or full', { history: asked });
}

/**
 * Answers a listing of `apps` (grouped already; grouping reads only names and specs,
 * which the runtime's view leaves alone). Slipway's own clients get the JSON text made
 * from kept per-app fragments (each app's summary unless `?history=full`); Epinio's CLI
 * gets its own shape, made of the whole Apps as before.
 */
async function answerList(ctx: Context, apps: App[], runtime: Runtime | undefined, body: ReturnType<typeof createAppListBody>): Promise<void> {
  if (isEpinioClient(ctx)) {
    ctx.body = (await Promise.all(apps.map((app) => withListStatus(app, runtime)))).map(epinioApp);
    return;
  }
  const chunks = await body(apps, listHistory(ctx));
  ctx.type = 'json';
  // A stream of the kept chunks: no 12 MB string (or Buffer) made per listing. The length set after the body, which Koa clears for a stream.
  ctx.body = Readable.from(chunks, { objectMode: false });
  ctx.length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

/** GET /api/v1/namespaces/:ns/applications[?history=full] — app summaries; previews follow their parent (`spec.preview.parent`). */
export function appsListRoute(store: StateStore, runtime?: Runtime): Middleware {
  const body = createAppListBody(runtime, (app) => withLiveStatus(app, runtime));
  return async (ctx) => {
    await requireNamespace(store, ctx.params.ns);
    await answerList(ctx, groupPreviews(await store.listApps(ctx.params.ns)), runtime, body);
  };
}

/**
 * GET /api/v1/applications[?history=full] — the apps of every namespace the user may
 * access (Epinio's `epinio app list --all`; the same shapes as the per-namespace list).
 */
export function allAppsListRoute(store: StateStore, runtime?: Runtime): Middleware {
  const body = createAppListBody(runtime, (app) => withLiveStatus(app, runtime));
  return async (ctx) => {
    const user = currentUser(ctx.state);
    const namespaces = (await store.listNamespaces()).filter((ns) => mayAccess(user, ns.name));
    await answerList(ctx, groupPreviews((await Promise.all(namespaces.map((ns) => store.listApps(ns.name)))).flat()), runtime, body);
  };
}

/** GET /api/v1/namespaces/:ns/appsmatches[/:prefix] — Epinio's `AppMatchResponse`: the names starting with the prefix (`epinio app delete --all`, completion). */
export function appsMatchRoute(store: StateStore): Middleware {
  return async (ctx) => {
    await requireNamespace(store, ctx.params.ns);
    const prefix = ctx.params.prefix ?? '';
    ctx.body = { names: (await store.listApps(ctx.params.ns)).map((app) => app.metadata.name).filter((name) => name.startsWith(prefix)) };
  };
}

/** A git origin that asks to be watched must follow a branch (`watch_needs_branch`); others pass as they are. */
async function checkedOrigin(deps: Pick<ApiDeps, 'git' | 'watchMinIntervalMs'>, origin: Origin | undefined): Promise<Origin | undefined> {
  if (origin?.kind === 'git') assertIntervalHonoured(origin.interval, deps.watchMinIntervalMs);
  return origin?.kind === 'git' && origin.watch ? assertWatchable(deps.git, origin) : origin;
}

/**
 * A new git origin of the same repository that says nothing of previews keeps the
 * current preview settings: `slipway push` sends the origin it was given, and a push
 * must not turn previews off (and orphan the open ones) by leaving them out.
 */
function keepPreviews(current: Origin | undefined, next: Origin | undefined): Origin | undefined {
  if (next?.kind !== 'git' || next.previews !== undefined || current?.kind !== 'git' || !current.previews) return next;
  const same = normaliseRepoUrl(current.url) !== undefined && normaliseRepoUrl(current.url) === normaliseRepoUrl(next.url);
  return same ? { ...next, previews: current.previews } : next;
}

/**
 * Checks routes a request sets against every other app's claimed and served routes, so
 * a conflict is refused now rather than at the next deploy. An administrator may share
 * a host with another namespace; nobody may take a route or an API host.
 */
async function checkRoutes(deps: ApiDeps, ctx: Context, app: App): Promise<void> {
  if (!app.spec.routes.length) return;
  await assertRoutesFree(deps.store, deps.routePolicy, app, app.spec.routes, { claims: true, admin: mayManageNamespaces(currentUser(ctx.state)) });
}

/**
 * POST /api/v1/namespaces/:ns/applications {name, configuration?, origin?} — 201 with
 * the app (Epinio's CLI: 201 `{"status":"ok"}`), 409 `app_exists`.
 */
export function appCreateRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const epinio = isEpinioCreate(ctx);
    const body = readBody(ctx, appCreateSchema);
    assertNewAppName(body.name);
    if (body.configuration) assertNoEpinioExtras(body.configuration);
    await requireNamespace(deps.store, ctx.params.ns);
    const origin = await checkedOrigin(deps, body.origin);
    const spec = applyConfiguration({ instances: 1, env: {}, routes: [], origin }, body.configuration);
    const metadata = { namespace: ctx.params.ns, name: body.name, resourceVersion: '', generation: 0, createdAt: '' };
    await checkRoutes(deps, ctx, { metadata, spec, status: {} });
    const created = await deps.store.createApp({ metadata, spec: withoutUndefined(spec) });
    await deps.watch?.refresh(ctx.params.ns, body.name);
    ctx.status = 201;
    ctx.body = epinio ? EPINIO_OK : created;
  };
}

/** GET /api/v1/namespaces/:ns/applications/:app */
export function appShowRoute(store: StateStore, runtime?: Runtime): Middleware {
  return async (ctx) => {
    const app = await withLiveStatus(await requireApp(store, ctx.params.ns, ctx.params.app), runtime);
    ctx.body = isEpinioClient(ctx) ? epinioApp(app) : app;
  };
}

/**
 * PATCH /api/v1/namespaces/:ns/applications/:app {configuration?, origin?} → the app;
 * Epinio's flat `{instances, environment, routes, …}` (nulls leave a setting as it is) → `{"status":"ok"}`.
 */
export function appUpdateRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const epinio = isEpinioUpdate(ctx);
    const body = readBody(ctx, appUpdateSchema);
    const configuration: Configuration = body.configuration ?? { instances: body.instances, environment: body.environment, routes: body.routes };
    assertNoEpinioExtras(body.configuration ?? body);
    const current = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const origin = await checkedOrigin(deps, keepPreviews(current.spec.origin, body.origin));
    if (configuration.routes) await checkRoutes(deps, ctx, { ...current, spec: applyConfiguration(current.spec, configuration) });
    const updated = await deps.store.updateApp(ctx.params.ns, ctx.params.app, (app) => ({
      ...app,
      spec: applyConfiguration(origin ? { ...app.spec, origin } : app.spec, configuration),
    }));
    await deps.watch?.refresh(ctx.params.ns, ctx.params.app);
    ctx.body = epinio ? EPINIO_OK : updated;
  };
}

/** GET /api/v1/namespaces/:ns/applications/:app/validate-cv — Epinio checks chart values here; Slipway has none, so an existing app passes. */
export function appValidateCvRoute(store: StateStore): Middleware {
  return async (ctx) => {
    await requireApp(store, ctx.params.ns, ctx.params.app);
    ctx.body = EPINIO_OK;
  };
}

/** DELETE /api/v1/namespaces/:ns/applications/:app — stops it, then removes the app, its secrets and its stored sources. */
export function appDeleteRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    await deleteApp(deps, app);
    ctx.body = { deleted: app.metadata.name };
  };
}

/** Deletes `app`, and with it its previews (issue 15): they are built from its settings and would outlive it otherwise. */
async function deleteApp(deps: ApiDeps, app: App): Promise<void> {
  const { namespace, name } = app.metadata;
  const parts = { ...deps, runtime: deps.pipeline?.deps.runtime, runner: deps.pipeline?.runner };
  for (const preview of await deps.store.listApps(namespace)) {
    if (preview.spec.preview?.parent === name) await removeApp(parts, namespace, preview.metadata.name);
  }
  await removeApp(parts, namespace, name);
}

/**
 * DELETE /api/v1/namespaces/:ns/applications?applications[]=A&applications[]=B — Epinio's
 * batch delete (`epinio app delete`) → its `ApplicationDeleteResponse`. Every app is
 * looked up before any is deleted, so a misspelt name deletes nothing. The body's
 * `deleteImage` is not read: Slipway deletes an app's stored sources with it, and its
 * images are the registry's to keep.
 */
export function appsBatchDeleteRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const given = ctx.query['applications[]'];
    const names = [...new Set(given === undefined ? [] : Array.isArray(given) ? given : [given])];
    if (!names.length) throw invalidRequest('name the apps to delete: ?applications[]=NAME (repeatable)', { field: 'applications[]' });
    const apps = await Promise.all(names.map((name) => requireApp(deps.store, ctx.params.ns, name)));
    for (const app of apps) await deleteApp(deps, app);
    ctx.body = { unboundconfigurations: [] as string[] };
  };
}
