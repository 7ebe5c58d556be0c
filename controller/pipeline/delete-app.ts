/**
 * Deleting an app with everything it owns: its processes (or Deployment, Service,
 * Ingress and Jobs), its record, its secrets and its stored sources. Shared by the
 * API's deletes and by preview apps, which go when their pull request closes.
 */
import { sourcePrefix, type BlobStore } from '../../core/ports/blob-store.ts';
import type { Runtime } from '../../core/ports/runtime.ts';
import type { SecretStore } from '../../core/ports/secret-store.ts';
import type { StateStore } from '../../core/ports/state-store.ts';

/** What {@link deleteApp} needs. */
export interface DeleteAppDeps {
  store: StateStore;
  blobs: BlobStore;
  secrets: Pick<SecretStore, 'deleteSecrets'>;
  runtime?: Runtime;
  /** Stops runs of the app first, so none deploys after the delete (see Runner.cancel). */
  runner?: { cancel(namespace: string, app: string): Promise<void> };
  watch?: { refresh(namespace: string, app: string): void | Promise<void> };
}

/** Deletes `namespace/name`; a part already gone is no error. */
export async function deleteApp(deps: DeleteAppDeps, namespace: string, name: string): Promise<void> {
  await deps.runner?.cancel(namespace, name);
  await deps.runtime?.delete(namespace, name);
  await deps.store.deleteApp(namespace, name).catch((error: { code?: string }) => {
    if (error?.code !== 'app_not_found') throw error;
  });
  await deps.watch?.refresh(namespace, name);
  await deps.secrets.deleteSecrets(namespace, name);
  await deps.blobs.deletePrefix(sourcePrefix(namespace, name));
}
