/**
 * An app as a listing shows it (issue 12, ADR 0007): the App without its histories
 * (`status.runs`, `status.releases`, which made ~10 KiB of each ~11 KiB list item, and a
 * parent's record of closed pull requests, `status.previews`, up to 100), which no list
 * shows, plus `status.lastDeployedAt`, the one fact lists took from them.
 * `GET …/applications/:app` (and a listing with `?history=full`) keeps the whole App.
 */
import type { App, AppStatus } from './types.ts';
import { withoutUndefined } from './without-undefined.ts';

/** The status of a listed app: the App's, without `runs`, `releases` and `previews`. */
export type AppSummaryStatus = Omit<AppStatus, 'runs' | 'releases' | 'previews'> & {
  /** When the app last changed what it serves: its newest successful run's end, else its serving release's build. */
  lastDeployedAt?: string;
};

/** An item of `GET …/applications`: the App's metadata and spec, and its status without the histories. */
export interface AppSummary {
  metadata: App['metadata'];
  spec: App['spec'];
  status: AppSummaryStatus;
}

/** When `status`'s app last changed what it serves (what the dashboard's "last deploy" shows). */
export function lastDeployedAt(status: AppStatus): string | undefined {
  return status.runs?.find((run) => run.phase === 'succeeded')?.finishedAt ?? status.release?.createdAt;
}

/** `app` as a listing shows it: everything but `status.runs`, `status.releases` and `status.previews`, with `status.lastDeployedAt`. */
export function appSummary(app: App): AppSummary {
  const { runs: _runs, releases: _releases, previews: _previews, ...status } = app.status;
  return { ...app, status: withoutUndefined({ ...status, lastDeployedAt: lastDeployedAt(app.status) }) };
}
