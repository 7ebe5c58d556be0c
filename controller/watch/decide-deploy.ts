/**
 * The one rule of the watcher: deploy the branch head unless it already serves or is
 * already on its way. Both comparisons are needed: the webhook and the poller can see
 * the same head while its run is still staging.
 */
import type { App } from '../../core/types.ts';
import type { CheckReason } from './check-queue.ts';

/** Failures that say nothing about the commit itself (git_busy: its import found every git slot taken); its next check may try again. */
const NOT_THE_COMMITS_FAULT = new Set(['superseded', 'interrupted', 'git_busy']);

const final = (phase: string) => phase === 'succeeded' || phase === 'failed';

/**
 * True when `head` should be deployed on `app`. Besides the serving and in-flight
 * revisions: a poll does not rebuild a head whose last run failed (it would fail again
 * every interval) — a webhook or a manual check does, so a redelivery after a failure
 * is processed again; and after a rollback away from the head, the head stays rolled
 * back until the branch moves (or a manual check).
 */
export function decideDeploy(app: App, head: string, reason: CheckReason): boolean {
  if (app.status.release?.revision === head) return false;
  const runs = [...(app.status.run ? [app.status.run] : []), ...(app.status.runs ?? [])];
  if (runs.some((r) => r.revision === head && !final(r.phase))) return false;
  if (reason === 'manual') return true;
  const latest = app.status.run;
  if (latest?.kind === 'rollback' && latest.phase === 'succeeded' && app.status.releases?.some((r) => r.revision === head)) return false;
  if (latest?.revision === head && latest.phase === 'failed') return reason !== 'poll' || NOT_THE_COMMITS_FAULT.has(latest.error?.code ?? '');
  return true;
}
