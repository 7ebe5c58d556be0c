/**
 * Namespace routes: small enough to share one file (Epinio keeps one per action; these
 * three are a few lines each).
 */
import { assertName } from '../../../core/names.ts';
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { StateStore } from '../../../core/ports/state-store.ts';
import { readBody } from '../parse-body.ts';
import { namespaceCreateSchema } from '../schemas.ts';
import { requireNamespace } from '../../pipeline/lookup.ts';
import { currentUser, mayAccess } from '../namespace-access.ts';

/** GET /api/v1/namespaces — the namespaces the user may access, with their app names. */
export function namespacesListRoute(store: StateStore): Middleware {
  return async (ctx) => {
    const user = currentUser(ctx.state);
    const namespaces = (await store.listNamespaces()).filter((ns) => mayAccess(user, ns.name));
    ctx.body = await Promise.all(namespaces.map(async (ns) => ({
      ...ns,
      apps: (await store.listApps(ns.name)).map((a) => a.metadata.name),
    })));
  };
}

/** POST /api/v1/namespaces {name} — 201, or 409 `namespace_exists`. */
export function namespaceCreateRoute(store: StateStore): Middleware {
  return async (ctx) => {
    const { name } = readBody(ctx, namespaceCreateSchema);
    ctx.status = 201;
    ctx.body = await store.createNamespace(assertName('namespace', name));
  };
}

/** GET /api/v1/namespaces/:ns — Slipway's fields plus Epinio's `meta` and `configurations` (what `epinio login` and `epinio namespace show` read). */
export function namespaceShowRoute(store: StateStore): Middleware {
  return async (ctx) => {
    const ns = await requireNamespace(store, ctx.params.ns);
    ctx.body = { ...ns, apps: (await store.listApps(ns.name)).map((a) => a.metadata.name), meta: { name: ns.name, createdAt: ns.createdAt || null }, configurations: [] };
  };
}
