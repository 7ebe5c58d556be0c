/**
 * What Epinio's CLI asks about the session: who am I (`GET /api/v1/me`) and a token
 * for its WebSocket endpoints (`GET /api/v1/authtoken`).
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import { currentUser, mayAccess, mayManageNamespaces } from '../namespace-access.ts';
import { issueAuthToken } from '../epinio/auth-token.ts';

/** GET /api/v1/me — Epinio's `MeResponse`: user, roles (`admin` for `*`, else `user`), the namespaces it may use. */
export function meRoute(store: StateStore): Middleware {
  return async (ctx) => {
    const user = currentUser(ctx.state);
    const admin = mayManageNamespaces(user);
    const namespaces = (await store.listNamespaces()).map((ns) => ns.name).filter((ns) => mayAccess(user, ns));
    const role = admin ? { id: 'admin', name: 'Admin', namespace: '', default: true } : { id: 'user', name: 'User', namespace: '', default: true };
    ctx.body = { user: user.username, roles: [role], namespaces, gitconfigs: [] };
  };
}

/** GET /api/v1/authtoken — `{token}`, short-lived and signed, for `?authtoken=` on `/wapi/v1` WebSockets. */
export function authTokenRoute(clock: Clock): Middleware {
  return (ctx) => {
    ctx.body = { token: issueAuthToken(currentUser(ctx.state), clock.now().getTime()) };
  };
}
