/**
 * The Koa application: health endpoints, the dashboard (`/ui/`, controller/ui), then
 * `/api/v1` routes guarded by BasicAuth or a dashboard session, all behind one
 * problem-details middleware. Routes mirror Epinio's `/api/v1` shapes.
 */
import Koa from 'koa';
import { Router } from '@koa/router';
import type { ApiDeps } from './api-deps.ts';
import { problemMiddleware } from './problem-middleware.ts';
import { parseJsonOrForm } from './parse-body.ts';
import { guardNamespace, requireNamespaceAdmin } from './namespace-access.ts';
import { healthzRoute, readyzRoute } from './routes/health.ts';
import { infoRoute } from './routes/info.ts';
import { namespaceCreateRoute, namespaceShowRoute, namespacesListRoute } from './routes/namespaces.ts';
import { namespaceDeleteRoute } from './routes/namespace-delete.ts';
import { appCreateRoute, appDeleteRoute, appShowRoute, appUpdateRoute, appValidateCvRoute, appsBatchDeleteRoute, appsListRoute, appsMatchRoute, allAppsListRoute } from './routes/apps.ts';
import { authTokenRoute, meRoute } from './routes/epinio-session.ts';
import { appImportGitRoute, appStoreDownloadRoute, appStoreRoute } from './routes/app-source.ts';
import { deploymentShowRoute, deploymentsCreateRoute, releasesRoute, rollbackRoute } from './routes/runs.ts';
import { appLogsRoute, deployRoute, restartRoute, stageRoute, stagingCompleteRoute, stagingLogsRoute } from './routes/runtime.ts';
import { noRuntime } from '../../core/error-cases.ts';
import { redact } from '../../core/redact.ts';
import { watchRoute, webhookRoute } from './routes/watch.ts';
import { previewsListRoute, previewsSetRoute } from './routes/previews.ts';
import { holdOpenMiddleware, idleLimits } from './long-request.ts';
import { countWebhooks, metricsRoute } from '../metrics/metrics-routes.ts';
import { createUiSessions } from '../ui/ui-session.ts';
import { drainRefusedDashboardBodies, fromDashboard, sessionOrBasicAuth } from '../ui/session-auth.ts';
import { createUiRouter } from '../ui/ui-routes.ts';
import { gitKeyCreateRoute, gitKeyDeleteRoute, gitKeysListRoute, knownHostCreateRoute, knownHostDeleteRoute, knownHostsListRoute, requireGitKeyAdmin } from './routes/git-keys.ts';

/** Error codes that mean the client closed the connection, not that the server failed. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

/** Builds the API. The caller owns listening (see `startServer`). */
export function createApi(deps: ApiDeps): Koa {
  const app = new Koa({ proxy: false });
  const json = parseJsonOrForm(deps.maxJsonBytes);
  const { store, blobs } = deps;
  const idle = deps.idle ?? idleLimits(120_000);
  // Routes that wait longer than the idle limit by design; their own deadlines end them.
  const hold = holdOpenMiddleware(idle);

  // The dashboard's sessions (controller/ui): signed with the users' own password hashes, so they need `find`.
  const find = deps.auth.find ? (name: string) => deps.auth.find!(name) : undefined;
  const sessions = find && createUiSessions(find, () => deps.clock.now().getTime());

  const open = new Router({ sensitive: true });
  open.get('/', (ctx) => ctx.redirect('/ui/'));
  open.get('/healthz', healthzRoute());
  open.get('/readyz', readyzRoute(deps.ready ?? (async () => true)));
  if (deps.metrics) open.get('/metrics', metricsRoute(deps.metrics, deps.metricsToken));

  // Case-sensitive, so `/API/v1/...` can never match a route the auth check below did not see.
  const api = new Router({ prefix: '/api/v1', sensitive: true });
  api.param('ns', guardNamespace);
  api.get('/info', infoRoute(deps.info, deps.liveInfo));
  api.get('/me', meRoute(store));
  api.get('/authtoken', authTokenRoute(deps.clock));
  api.get('/namespaces', namespacesListRoute(store));
  api.post('/namespaces', requireNamespaceAdmin, json, namespaceCreateRoute(store));
  api.get('/namespaces/:ns', namespaceShowRoute(store));
  api.delete('/namespaces/:ns', requireNamespaceAdmin, namespaceDeleteRoute(store, blobs, deps.pipeline?.deps.runtime));
  const apps = '/namespaces/:ns/applications';
  api.get(apps, appsListRoute(store, deps.pipeline?.deps.runtime));
  api.get('/applications', allAppsListRoute(store, deps.pipeline?.deps.runtime));
  api.post(apps, json, appCreateRoute(deps));
  api.delete(apps, appsBatchDeleteRoute(deps));
  api.get('/namespaces/:ns/appsmatches', appsMatchRoute(store));
  api.get('/namespaces/:ns/appsmatches/:prefix', appsMatchRoute(store));
  api.get(`${apps}/:app`, appShowRoute(store, deps.pipeline?.deps.runtime));
  api.patch(`${apps}/:app`, json, appUpdateRoute(deps));
  api.delete(`${apps}/:app`, appDeleteRoute(deps));
  api.get(`${apps}/:app/validate-cv`, appValidateCvRoute(store));
  api.post(`${apps}/:app/store`, appStoreRoute(deps));
  api.get(`${apps}/:app/store/:blobuid`, appStoreDownloadRoute(deps));
  api.post(`${apps}/:app/import-git`, hold, json, appImportGitRoute(deps));

  const pipeline = () => {
    if (!deps.pipeline) throw noRuntime();
    return deps.pipeline;
  };
  api.post(`${apps}/:app/stage`, hold, json, stageRoute(pipeline));
  api.post(`${apps}/:app/deploy`, hold, json, deployRoute(pipeline));
  api.post(`${apps}/:app/deployments`, json, deploymentsCreateRoute(pipeline));
  api.get(`${apps}/:app/deployments/:id`, deploymentShowRoute(pipeline));
  api.get(`${apps}/:app/releases`, releasesRoute(pipeline));
  api.post(`${apps}/:app/rollback`, json, rollbackRoute(pipeline));
  api.get(`${apps}/:app/logs`, appLogsRoute(pipeline, idle.heartbeatMs));
  api.post(`${apps}/:app/restart`, restartRoute(pipeline));
  api.get('/namespaces/:ns/staging/:id/logs', stagingLogsRoute(pipeline, idle.heartbeatMs));
  api.get('/namespaces/:ns/staging/:id/complete', hold, stagingCompleteRoute(pipeline));
  api.post(`${apps}/:app/watch`, json, watchRoute(deps));
  api.get(`${apps}/:app/webhook`, webhookRoute(deps));
  api.post(`${apps}/:app/previews`, json, previewsSetRoute(deps));
  api.get(`${apps}/:app/previews`, previewsListRoute(deps));
  if (deps.gitKeys) {
    const keys = deps.gitKeys;
    api.get('/git-keys', requireGitKeyAdmin, gitKeysListRoute(keys));
    api.post('/git-keys', requireGitKeyAdmin, json, gitKeyCreateRoute(keys));
    api.delete('/git-keys/:name', requireGitKeyAdmin, gitKeyDeleteRoute(keys));
    api.get('/git-known-hosts', requireGitKeyAdmin, knownHostsListRoute(keys));
    // Reading a host's key waits on a handshake, bounded by the git timeout.
    api.post('/git-known-hosts', requireGitKeyAdmin, hold, json, knownHostCreateRoute(keys));
    api.delete('/git-known-hosts/:host', requireGitKeyAdmin, knownHostDeleteRoute(keys));
  }

  // Errors after the answer started (a client that went away mid-stream) reach Koa's own
  // handler, which prints a stack to stderr outside the JSON log: log them instead, a
  // client hanging up at debug level.
  app.on('error', (error: NodeJS.ErrnoException, ctx?: Koa.Context) => {
    const where = { method: ctx?.method, path: ctx?.path, code: error.code };
    if (CLIENT_GONE.has(error.code ?? '') || error.message === 'client disconnected') deps.logger.debug(where, 'the client went away');
    else deps.logger.error({ ...where, err: redact(String(error.stack ?? error)) }, 'response failed');
  });
  // Epinio's CLI compares this with its own version and only warns on a mismatch.
  app.use((ctx, next) => {
    ctx.set('epinio-version', `slipway-${deps.info.version}`);
    return next();
  });
  // A 401 to the dashboard's own requests must not open the browser's BasicAuth prompt: its script sends the user to sign in instead.
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 401 && fromDashboard(ctx.get('cookie'), ctx.get('x-csrf-token'))) ctx.remove('WWW-Authenticate');
  });
  app.use(problemMiddleware(deps.logger));
  app.use(drainRefusedDashboardBodies);
  app.use(open.routes());
  // Webhooks read their own raw bodies (no parser) and verify signatures: before BasicAuth.
  if (deps.webhooks && deps.metrics) app.use(countWebhooks(deps.metrics));
  if (deps.webhooks) app.use(deps.webhooks.routes());
  if (sessions) app.use(createUiRouter({ store, auth: deps.auth, sessions, publicUrl: deps.publicUrl, runtime: deps.info.runtime, logger: deps.logger.child({ component: 'ui' }) }).routes());
  // Authenticate everything under /api, also paths no route matches, so a 404 never tells an anonymous caller which routes exist.
  // BasicAuth as ever; without an Authorization header, the dashboard's session (CSRF-checked on changes).
  const auth = sessionOrBasicAuth({ auth: deps.auth, sessions, publicUrl: deps.publicUrl });
  app.use(async (ctx, next) => {
    const path = ctx.path.toLowerCase();
    return path === '/api' || path.startsWith('/api/') ? auth(ctx, next) : next();
  });
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}
