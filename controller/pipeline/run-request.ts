/**
 * What a run is asked to do, and how a recorded run says it again: a pending run is
 * persisted with everything needed to execute it, so another replica (the leader) or
 * the next start of the server can pick it up.
 */
import type { App, Release, Run } from '../../core/types.ts';
import { nothingToDeploy, releaseNotFound } from '../../core/error-cases.ts';

/**
 * What a run does. A deploy takes a stored blob, or imports the app's git origin —
 * at `revision` (a full SHA a watch check resolved) when given, else at the origin's
 * revision or branch — or runs a container origin's image. A rollback redeploys an
 * earlier release; a redeploy runs the current release again with the app's current
 * settings (instances, env, routes changed in the spec).
 */
export type RunRequest =
  | { kind: 'deploy'; blobuid?: string; revision?: string; client?: 'epinio' }
  | { kind: 'rollback'; release?: number }
  | { kind: 'redeploy' };

/** Picks the release a rollback goes to: the one asked for, else the one before the current. */
export function rollbackTarget(releases: Release[], current: Release | undefined, app: string, wanted?: number): Release {
  if (wanted !== undefined) {
    const found = releases.find((r) => r.number === wanted);
    if (!found) throw releaseNotFound(app, wanted);
    return found;
  }
  const previous = releases.filter((r) => r.number < (current?.number ?? Infinity)).sort((a, b) => b.number - a.number)[0];
  if (!previous) throw nothingToDeploy(app, 'has no earlier release to roll back to');
  return previous;
}

/** The release a request redeploys (rollback, redeploy), or undefined for a deploy; throws when there is none. */
export function targetOf(app: App, request: RunRequest): Release | undefined {
  const releases = app.status.releases ?? [];
  if (request.kind === 'rollback') return rollbackTarget(releases, app.status.release, app.metadata.name, request.release);
  if (request.kind === 'redeploy') {
    if (!app.status.release) throw nothingToDeploy(app.metadata.name, 'has no release to run again');
    return app.status.release;
  }
  if (!request.blobuid && !app.status.source && app.spec.origin?.kind !== 'git' && app.spec.origin?.kind !== 'container') {
    throw nothingToDeploy(app.metadata.name, 'has no stored source; push one first ("slipway push")');
  }
  return undefined;
}

/** The request a recorded run was made for (a pending run adopted by the leader or after a restart). */
export function requestOf(run: Run): RunRequest {
  if (run.kind === 'rollback') return { kind: 'rollback', release: run.release };
  if (run.release !== undefined) return { kind: 'redeploy' };
  return { kind: 'deploy', blobuid: run.blobuid, revision: run.revision };
}

/** The release a recorded run targets, read again from the app (it may have left the history). */
export function recordedTarget(app: App, run: Run): Release | undefined {
  if (run.release === undefined) return undefined;
  const found = [...(app.status.releases ?? []), ...(app.status.release ? [app.status.release] : [])].find((r) => r.number === run.release);
  if (!found) throw releaseNotFound(app.metadata.name, run.release);
  return found;
}
