/**
 * Counts applications by the phase of their latest run, for the `slipway_apps` gauge.
 * Listing every app costs a request per namespace on Kubernetes, so the count is kept
 * for `maxAgeMs` (Prometheus scrapes every 15-60 s; the count need not be fresher).
 */
import type { StateStore } from '../../core/ports/state-store.ts';

/** A cached counter over `store`. */
export function appsByPhase(store: StateStore, maxAgeMs = 30_000, now = () => Date.now()): () => Promise<Record<string, number>> {
  let cached: { at: number; counts: Promise<Record<string, number>> } | undefined;
  async function count(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const ns of await store.listNamespaces()) {
      for (const app of await store.listApps(ns.name)) {
        const phase = app.status.run?.phase ?? 'none';
        counts[phase] = (counts[phase] ?? 0) + 1;
      }
    }
    return counts;
  }
  return () => {
    if (!cached || now() - cached.at > maxAgeMs) {
      const counts = count();
      cached = { at: now(), counts };
      // A failed count is not kept: the next scrape tries again.
      counts.catch(() => { if (cached?.counts === counts) cached = undefined; });
    }
    return cached.counts;
  };
}
