/**
 * After a restart, bring every app that had a serving release back to it (the local
 * runtime's processes died with the server; on Kubernetes this re-applies the same
 * objects, a no-op). Apps are restored one at a time; a failure is logged and kept in
 * the app's `status.runtime.message`, and the next app goes on.
 */
import type { PipelineDeps } from './pipeline-deps.ts';
import { deployApp } from './deploy-app.ts';

/** Restores every app with a current release; resolves with how many were restored. */
export async function restoreApps(deps: PipelineDeps): Promise<number> {
  let restored = 0;
  for (const ns of await deps.store.listNamespaces()) {
    for (const app of await deps.store.listApps(ns.name)) {
      const release = app.status.release;
      if (!release) continue;
      const { namespace, name } = app.metadata;
      try {
        await deployApp(deps, { namespace, app: name, stageId: release.stageId, image: release.image, release });
        restored += 1;
      } catch (error) {
        const message = `could not restart release ${release.number} after a server restart: ${(error as Error).message}`;
        deps.logger.warn({ namespace, app: name, release: release.number }, message);
        await deps.store.updateApp(namespace, name, (current) => ({
          ...current, status: { ...current.status, runtime: { phase: 'crashed', desired: current.spec.instances, ready: 0, restarts: 0, message } },
        })).catch(() => {});
      }
    }
  }
  return restored;
}
