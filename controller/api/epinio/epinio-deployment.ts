/**
 * A run as Epinio's `AsyncDeployStatus` (epinio/epinio `pkg/api/core/v1/models`): what
 * its CLI polls every 2 s at `GET …/deployments/:id` until `status` is `succeeded` or
 * `failed`; any other status keeps it polling, and a `stage_id` makes it open the
 * staging logs. The fields are added beside the run's own.
 */
import type { Run, RunPhase } from '../../../core/types.ts';
import { withoutUndefined } from '../../../core/without-undefined.ts';

/** Epinio's deployment statuses. */
export type EpinioDeployStatus = 'pending' | 'staging' | 'deploying' | 'succeeded' | 'failed';

/**
 * Slipway's run phase as an Epinio status. `importing` (a git run fetching its source)
 * is `pending` there: Epinio imports before the deployment starts, so its list has no
 * such step, and the build has not begun.
 */
export const EPINIO_STATUS: Record<RunPhase, EpinioDeployStatus> = {
  pending: 'pending', importing: 'pending', staging: 'staging', deploying: 'deploying', succeeded: 'succeeded', failed: 'failed',
};

/** Epinio's fields for a run of `namespace/app`. */
export function epinioDeployment(run: Run, namespace: string, app: string) {
  return withoutUndefined({
    id: run.id,
    app: { name: app, namespace },
    status: EPINIO_STATUS[run.phase],
    stage_id: run.stageId,
    image: run.image,
    error: run.error?.message,
    routes: run.routes,
    warnings: [] as string[],
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  });
}

/**
 * The answer for a run: Slipway's fields plus Epinio's. They agree on every shared name
 * but `error` (an object here, a string there), which takes Epinio's shape only for
 * runs Epinio's CLI started.
 */
export function runAnswer(run: Run, namespace: string, app: string): Record<string, unknown> {
  const epinio = epinioDeployment(run, namespace, app);
  if (run.client === 'epinio') return { ...run, namespace, ...epinio };
  const { error: _error, ...shared } = epinio;
  return { ...shared, ...run, namespace: namespace, ...(run.error ? { error: run.error } : {}) };
}
