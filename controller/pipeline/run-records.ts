/**
 * Where runs and releases live: on the app's status, bounded, so a restart finds them
 * and rollback has something to go back to.
 */
import type { StateStore } from '../../core/ports/state-store.ts';
import type { App, Release, Run } from '../../core/types.ts';
import { withoutUndefined } from '../../core/without-undefined.ts';
import { runConditionChanges, setConditions } from './app-conditions.ts';

/** Runs kept per app. */
export const MAX_RUNS = 20;
/** Releases kept per app (rollback targets). */
export const MAX_RELEASES = 10;

/** Stores `run` as the app's latest run (replacing an older copy of the same id), and the conditions it implies. */
export function saveRun(store: StateStore, namespace: string, app: string, run: Run, now: string = new Date().toISOString()): Promise<App> {
  return store.updateApp(namespace, app, (current) => withRun(current, run, now));
}

/** `current` with `run` recorded as its latest run, and the conditions it implies (the mutation of {@link saveRun}). */
export function withRun(current: App, run: Run, now: string): App {
  const clean = withoutUndefined(run);
  return {
    ...current,
    status: {
      ...current.status,
      conditions: setConditions(current.status.conditions, runConditionChanges(clean, findRun(current, run.id)), now),
      run: current.status.run && current.status.run.id !== run.id && current.status.run.startedAt > run.startedAt ? current.status.run : clean,
      runs: [clean, ...(current.status.runs ?? []).filter((r) => r.id !== run.id)]
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, MAX_RUNS),
    },
  };
}

/** Finds a run by id on an app. */
export function findRun(app: App, id: string): Run | undefined {
  return app.status.runs?.find((r) => r.id === id) ?? (app.status.run?.id === id ? app.status.run : undefined);
}

/** The number the next release of `app` gets. */
export function nextReleaseNumber(app: App): number {
  return Math.max(0, app.status.release?.number ?? 0, ...(app.status.releases ?? []).map((r) => r.number)) + 1;
}

/**
 * Makes `release` the serving one, keeping the history bounded. `also` changes the same
 * write further (the runner records its run as succeeded in it: one status write, not two).
 */
export function recordRelease(store: StateStore, namespace: string, app: string, release: Release, routes: string[], urls: string[], also: (app: App) => App = (a) => a): Promise<App> {
  const clean = withoutUndefined(release);
  return store.updateApp(namespace, app, (current) => also({
    ...current,
    status: {
      ...current.status,
      release: clean,
      releases: [clean, ...(current.status.releases ?? []).filter((r) => r.number !== release.number)]
        .sort((a, b) => b.number - a.number).slice(0, MAX_RELEASES),
      routes,
      urls,
    },
  }));
}
