import type { RouterMiddleware as Middleware } from '@koa/router';
import type { BlobStore } from '../../../core/ports/blob-store.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { Runtime } from '../../../core/ports/runtime.ts';
import { SlipwayError } from '../../../core/errors.ts';
import { requireNamespace } from '../../pipeline/lookup.ts';
import { DEFAULT_NAMESPACE } from '../../pipeline/ensure-default-namespace.ts';

/**
 * DELETE /api/v1/namespaces/:ns — stops its apps, removes their stored sources, then
 * the namespace (blobs first: if the blob store fails, the namespace still points at
 * them and the delete can be retried). The default namespace cannot be deleted.
 */
export function namespaceDeleteRoute(store: StateStore, blobs: BlobStore, runtime?: Runtime): Middleware {
  return async (ctx) => {
    const ns = await requireNamespace(store, ctx.params.ns);
    if (ns.name === DEFAULT_NAMESPACE) {
      throw new SlipwayError('namespace_protected', `the default namespace "${DEFAULT_NAMESPACE}" cannot be deleted; delete its applications instead`, { status: 409 });
    }
    for (const app of await store.listApps(ns.name)) await runtime?.delete(ns.name, app.metadata.name);
    await blobs.deletePrefix(`sources/${ns.name}/`);
    await store.deleteNamespace(ns.name);
    ctx.body = { deleted: ns.name };
  };
}
