/**
 * Keeps `status.runtime` and the Ready condition of an App in step with what the
 * runtime reports, so `kubectl get apps` shows it without asking Slipway's API. Called
 * by the Kubernetes controller when an app's Deployment changes; writes only when
 * something changed, so a quiet cluster causes no writes, and reads the runtime live
 * only when its cache does not show the app running as it should.
 */
import type { RuntimeState } from '../../core/types.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { readyFromRuntime, setConditions } from './app-conditions.ts';

const same = (a: RuntimeState | undefined, b: RuntimeState) =>
  a !== undefined && a.phase === b.phase && a.desired === b.desired && a.ready === b.ready && a.restarts === b.restarts && a.message === b.message;

/** Reads the runtime's view of `namespace/name` and records it; false when nothing changed. */
export async function refreshRuntime(deps: Pick<PipelineDeps, 'store' | 'runtime' | 'clock'>, namespace: string, name: string): Promise<boolean> {
  const app = await deps.store.getApp(namespace, name);
  if (!app?.status.release) return false;
  // All well in the runtime's cache (Kubernetes: the Deployment that just changed) needs no
  // request; anything else is explained by the live status (pods: restarts, why one cannot start).
  const cached = deps.runtime.cachedStatus?.(namespace, name);
  const live = cached?.phase === 'running' && cached.ready === cached.desired
    ? { ...cached, restarts: app.status.runtime?.restarts ?? 0 }
    : await deps.runtime.status(namespace, name);
  const runtime: RuntimeState = { phase: live.phase, desired: live.desired, ready: live.ready, restarts: live.restarts, ...(live.message ? { message: live.message } : {}) };
  if (same(app.status.runtime, runtime)) return false;
  await deps.store.updateApp(namespace, name, (current) => ({
    ...current,
    status: { ...current.status, runtime, conditions: setConditions(current.status.conditions, [readyFromRuntime(current, runtime)], deps.clock.now().toISOString()) },
  }));
  return true;
}
