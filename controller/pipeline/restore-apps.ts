/**
 * After a restart, bring an app that had a serving release back to it (the local
 * runtime's processes died with the server; on Kubernetes this re-applies the same
 * objects, a no-op). A failure is logged and kept in the app's
 * `status.runtime.message`. The runner calls this in the app's lane, so a deploy
 * requested meanwhile runs after it, never under it.
 */
import type { PipelineDeps } from './pipeline-deps.ts';
import { deployApp } from './deploy-app.ts';

/** Restores one app to its current release (read fresh); true when it runs again. */
export async function restoreApp(deps: PipelineDeps, namespace: string, name: string): Promise<boolean> {
  // Fresh, not from a cache: a cache a moment behind (a new leader's) would put an older release back.
  const release = (await deps.store.getApp(namespace, name, { fresh: true }))?.status.release;
  if (!release) return false;
  try {
    await deployApp(deps, { namespace, app: name, stageId: release.stageId, image: release.image, release });
    return true;
  } catch (error) {
    const message = `could not restart release ${release.number} after a server restart: ${(error as Error).message}`;
    deps.logger.warn({ namespace, app: name, release: release.number }, message);
    await deps.store.updateApp(namespace, name, (current) => ({
      ...current, status: { ...current.status, runtime: { phase: 'crashed', desired: current.spec.instances, ready: 0, restarts: 0, message } },
    })).catch(() => {});
    return false;
  }
}
