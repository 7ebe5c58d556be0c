/**
 * The stand-in the file state store lists for an app whose state file was moved aside
 * as corrupt: enough of an `App` for `slipway apps list/show/delete` to name it and say
 * what to do, with nothing a reconcile would act on (no origin, no release, no routes).
 */
import type { Stats } from 'node:fs';
import type { App } from '../../../core/types.ts';

/** The `Ready` condition reason that marks a stand-in. */
export const STATE_CORRUPT_REASON = 'StateCorrupt';

/** A stand-in for `namespace/name`, whose file now lives at `movedTo` (`stats` of that file). */
export function corruptApp(namespace: string, name: string, movedTo: string, stats: Pick<Stats, 'mtime' | 'ctime'>): App {
  const message = `the state file of this application was not valid and was moved aside to ${movedTo}; ` +
    `fix that file and rename it back without ".corrupt", or delete the app ("slipway apps delete ${name}") and push it again`;
  return {
    metadata: { namespace, name, resourceVersion: '0', generation: 0, createdAt: stats.mtime.toISOString() },
    spec: { instances: 0, env: {}, routes: [] },
    status: {
      conditions: [{ type: 'Ready', status: 'False', reason: STATE_CORRUPT_REASON, message, lastTransitionTime: stats.ctime.toISOString() }],
    },
  };
}

/** True for a stand-in made by {@link corruptApp}. */
export function isCorruptApp(app: App): boolean {
  return app.status.conditions?.some((c) => c.type === 'Ready' && c.reason === STATE_CORRUPT_REASON) ?? false;
}
