/**
 * What the watcher records on an app: `status.watch`. core/types.ts does not declare
 * it yet, so this is the one place that casts.
 */
import type { StateStore } from '../../core/ports/state-store.ts';
import type { App, AppStatus } from '../../core/types.ts';
import { withoutUndefined } from '../../core/without-undefined.ts';

/** The watcher's view of an app, shown in its status. */
export interface WatchStatus {
  /** ISO time of the last finished check. */
  lastCheck: string;
  /** The branch head that check saw (full SHA). */
  head?: string;
  /** Why the last check failed (cleared by a success). */
  error?: { code: string; message: string };
  /** ISO time of the next poll. */
  nextCheck?: string;
  /** Consecutive failed checks (drives the backoff). */
  failures: number;
}

/** Reads `status.watch`, if any. */
export function readWatchStatus(app: App): WatchStatus | undefined {
  return (app.status as AppStatus & { watch?: WatchStatus }).watch;
}

/** Stores `watch` on the app's status; an app deleted meanwhile is not an error. */
export async function writeWatchStatus(store: StateStore, namespace: string, name: string, watch: WatchStatus): Promise<void> {
  try {
    await store.updateApp(namespace, name, (current) => ({
      ...current,
      status: { ...current.status, watch: withoutUndefined(watch) } as AppStatus,
    }));
  } catch (error) {
    if ((error as { code?: string }).code !== 'app_not_found') throw error;
  }
}
