/**
 * Commit statuses back to GitHub: a run observer that posts `pending` when a run of a
 * GitHub-hosted app starts, `success` (with the app's URL) when it serves, `failure`
 * when the build or rollout failed and `error` for anything else. A GitHub outage
 * must never fail a deployment: errors are logged and swallowed.
 */
import type { Logger } from '../../core/ports/logger.ts';
import type { StateStore } from '../../core/ports/state-store.ts';
import type { Run } from '../../core/types.ts';
import { normaliseRepoUrl } from '../../core/repo-url.ts';
import { redact } from '../../core/redact.ts';
import type { RunObserver } from '../pipeline/create-runner.ts';
import type { CommitStatusClient } from './create-github-client.ts';

export { createGitHubClient, githubHostOf, type CommitStatusClient, type GitHubClientOptions } from './create-github-client.ts';

/** Options for {@link createCommitStatusReporter}. */
export interface CommitStatusOptions {
  octokit: CommitStatusClient;
  /** Where the app's origin is read. */
  store: Pick<StateStore, 'getApp'>;
  logger: Logger;
  /** Web host of the GitHub whose repositories get statuses (default github.com; see `githubHostOf`). */
  githubHost?: string;
  /** The status link; default: the run's first URL, on success only. */
  targetUrlOf?: (namespace: string, app: string, run: Run) => string | undefined;
  /** Prefix of the status context (default `slipway` → `slipway/<ns>/<app>`). */
  context?: string;
}

type State = 'pending' | 'success' | 'failure' | 'error';

const FULL_SHA = /^[0-9a-f]{40}$/;
const MAX_REMEMBERED = 10_000;

/** The GitHub state of a run; undefined for runs that say nothing about the commit. */
function stateOf(run: Run): State | undefined {
  if (run.phase === 'succeeded') return 'success';
  if (run.phase !== 'failed') return 'pending';
  if (run.error?.code === 'superseded') return undefined;
  return run.error?.code === 'stage_failed' || run.error?.code === 'deploy_failed' ? 'failure' : 'error';
}

/** A short description (GitHub cuts at 140 characters), with credentials redacted. */
function describe(state: State, namespace: string, app: string, run: Run): string {
  const where = `${namespace}/${app}`;
  const reason = redact(run.error?.message ?? '').replace(/\s+/g, ' ').trim();
  const text = state === 'pending' ? `Slipway is deploying ${where}`
    : state === 'success' ? `Deployed to ${where}${run.release ? ` as release ${run.release}` : ''}`
    : run.error?.code === 'stage_failed' ? `Build failed on ${where}: ${reason}`
    : run.error?.code === 'deploy_failed' ? `Rollout failed on ${where}: ${reason}`
    : run.error?.code === 'superseded' ? `A newer commit replaced this one on ${where}`
    : `Deployment to ${where} failed (${run.error?.code ?? 'error'})`;
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** Creates the observer; pass it to `createRunner`. */
export function createCommitStatusReporter(options: CommitStatusOptions): RunObserver {
  const host = (options.githubHost ?? 'github.com').toLowerCase();
  const prefix = options.context ?? 'slipway';
  const posted = new Set<string>();
  // Observers are called without waiting; one chain per run keeps pending before success.
  const chains = new Map<string, Promise<void>>();

  async function post(namespace: string, app: string, run: Run, state: State): Promise<void> {
    const found = await options.store.getApp(namespace, app);
    const origin = found?.spec.origin;
    if (origin?.kind !== 'git') return;
    const [repoHost, owner, repo, ...rest] = (normaliseRepoUrl(origin.url) ?? '').split('/');
    if (repoHost !== host || !owner || !repo || rest.length > 0) return;
    const target = options.targetUrlOf ? options.targetUrlOf(namespace, app, run) : state === 'success' ? run.urls?.[0] : undefined;
    try {
      await options.octokit.rest.repos.createCommitStatus({
        owner, repo, sha: run.revision!, state, description: describe(state, namespace, app, run),
        context: `${prefix}/${namespace}/${app}`, ...(target ? { target_url: target } : {}),
      });
      options.logger.debug({ namespace, app, run: run.id, state }, 'commit status posted');
    } catch (error) {
      const status = (error as { status?: number }).status;
      options.logger.warn({ namespace, app, run: run.id, state, status, err: redact(String((error as Error)?.message ?? error)) }, 'could not post the commit status to GitHub');
    }
  }

  return (namespace, app, run) => {
    if (!run.revision || !FULL_SHA.test(run.revision)) return;
    // A superseded run never built: nothing to report, unless its pending was posted.
    const state = stateOf(run) ?? (posted.has(`${run.id}:pending`) ? 'error' : undefined);
    const key = `${run.id}:${state}`;
    if (!state || posted.has(key)) return;
    posted.add(key);
    if (posted.size > MAX_REMEMBERED) posted.delete(posted.values().next().value!);
    const next = (chains.get(run.id) ?? Promise.resolve()).then(() => post(namespace, app, run, state)).catch((error) =>
      options.logger.warn({ namespace, app, run: run.id, err: redact(String(error)) }, 'commit status failed'));
    chains.set(run.id, next);
    if (state !== 'pending') void next.then(() => { if (chains.get(run.id) === next) chains.delete(run.id); });
    return next;
  };
}
