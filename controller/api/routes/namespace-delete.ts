import type { RouterMiddleware as Middleware } from '@koa/router';
import type { BlobStore } from '../../../core/ports/blob-store.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import { requireNamespace } from '../lookup.ts';

/** DELETE /api/v1/namespaces/:ns — removes its apps' stored sources, then the namespace. */
export function namespaceDeleteRoute(store: StateStore, blobs: BlobStore): Middleware {
  return async (ctx) => {
    const ns = await requireNamespace(store, ctx.params.ns);
    await store.deleteNamespace(ns.name);
    await blobs.deletePrefix(`sources/${ns.name}/`);
    ctx.body = { deleted: ns.name };
  };
}
