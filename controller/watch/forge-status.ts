/**
 * Commit statuses back to GitLab and Gitea/Forgejo (issue 15), as commit-status.ts
 * posts them to GitHub: `pending` while a run of an app from that forge works,
 * `success` with the app's URL (a preview's link on the merge request), a failure
 * with the reason; and the refusals of previews (fork, limit). Only for repositories
 * on the API's own host, only with a token. A forge outage never fails a deployment:
 * errors are logged and swallowed.
 * GitLab: POST /projects/:id/statuses/:sha (https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit);
 * Gitea: POST /repos/{owner}/{repo}/statuses/{sha} (https://docs.gitea.com/api/).
 */
import type { Logger } from '../../core/ports/logger.ts';
import type { StateStore } from '../../core/ports/state-store.ts';
import type { App, Run } from '../../core/types.ts';
import { normaliseRepoUrl } from '../../core/repo-url.ts';
import { redact } from '../../core/redact.ts';
import type { RunObserver } from '../pipeline/create-runner.ts';
import type { PreviewNotifier } from '../pipeline/previews/preview-notice.ts';

/** Options of {@link createForgeStatus}. */
export interface ForgeStatusOptions {
  kind: 'gitlab' | 'gitea';
  /** e.g. https://gitlab.com/api/v4, https://gitea.example.com/api/v1 */
  apiUrl: string;
  token: string;
  store: Pick<StateStore, 'getApp'>;
  logger: Logger;
  /** Prefix of the status context (default `slipway`). */
  context?: string;
  /** Deadline of one request (default 10 s). */
  timeoutMs?: number;
}

type Outcome = 'pending' | 'success' | 'failure' | 'error';

const FULL_SHA = /^[0-9a-f]{40}$/;

/** The forge's word for an outcome. */
function stateFor(kind: ForgeStatusOptions['kind'], outcome: Outcome): string {
  if (kind === 'gitea') return outcome;
  return outcome === 'failure' || outcome === 'error' ? 'failed' : outcome;
}

/** The outcome a run reports, or undefined for a superseded one (nothing to say about the commit). */
function outcomeOf(run: Run): Outcome | undefined {
  if (run.phase === 'succeeded') return 'success';
  if (run.phase !== 'failed') return 'pending';
  if (run.error?.code === 'superseded' || run.error?.code === 'cancelled') return undefined;
  return run.error?.code === 'stage_failed' || run.error?.code === 'deploy_failed' ? 'failure' : 'error';
}

/** Creates the run observer and the previews' notifier for one forge. */
export function createForgeStatus(options: ForgeStatusOptions): { observer: RunObserver; notifier: PreviewNotifier } {
  const api = new URL(options.apiUrl);
  const host = (api.port ? `${api.hostname}:${api.port}` : api.hostname).toLowerCase();
  const base = options.apiUrl.replace(/\/+$/, '');
  const prefix = options.context ?? 'slipway';
  const posted = new Set<string>();

  /** The endpoint for `sha` of the app's repository, or undefined when it is not on this forge. */
  function endpoint(app: App | undefined, sha: string): string | undefined {
    const origin = app?.spec.origin;
    if (origin?.kind !== 'git' || !FULL_SHA.test(sha)) return undefined;
    const [repoHost, ...path] = (normaliseRepoUrl(origin.url) ?? '').split('/');
    if (repoHost !== host || path.length < 2) return undefined;
    if (options.kind === 'gitlab') return `${base}/projects/${encodeURIComponent(path.join('/'))}/statuses/${sha}`;
    if (path.length !== 2) return undefined;
    return `${base}/repos/${path.map(encodeURIComponent).join('/')}/statuses/${sha}`;
  }

  async function post(url: string, namespace: string, app: string, outcome: Outcome, description: string, target?: string): Promise<void> {
    const text = description.length > 140 ? `${description.slice(0, 139)}…` : description;
    const context = `${prefix}/${namespace}/${app}`;
    const body = options.kind === 'gitlab'
      ? { state: stateFor('gitlab', outcome), name: context, description: text, ...(target ? { target_url: target } : {}) }
      : { state: stateFor('gitea', outcome), context, description: text, ...(target ? { target_url: target } : {}) };
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.kind === 'gitlab' ? { 'private-token': options.token } : { authorization: `token ${options.token}` }) };
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      await response.body?.cancel();
      if (!response.ok) options.logger.warn({ namespace, app, status: response.status, forge: options.kind }, 'the forge refused the commit status');
    } catch (error) {
      options.logger.warn({ namespace, app, forge: options.kind, err: redact(String((error as Error)?.message ?? error)) }, 'could not post the commit status');
    }
  }

  // Observers are called without waiting: one chain per run keeps pending before success.
  const chains = new Map<string, Promise<void>>();
  const observer: RunObserver = (namespace, app, run) => {
    const next = (chains.get(run.id) ?? Promise.resolve()).then(() => report(namespace, app, run)).catch(() => {});
    chains.set(run.id, next);
    void next.then(() => { if (chains.get(run.id) === next) chains.delete(run.id); });
    return next;
  };

  async function report(namespace: string, app: string, run: Run): Promise<void> {
    if (!run.revision) return;
    const outcome = outcomeOf(run) ?? (posted.has(`${run.id}:pending`) ? 'error' : undefined);
    if (!outcome || posted.has(`${run.id}:${outcome}`)) return;
    posted.add(`${run.id}:${outcome}`);
    if (posted.size > 10_000) posted.delete(posted.values().next().value!);
    const url = endpoint(await options.store.getApp(namespace, app), run.revision);
    if (!url) return;
    const reason = redact(run.error?.message ?? '').replace(/\s+/g, ' ').trim();
    const description = outcome === 'pending' ? `Slipway is deploying ${namespace}/${app}`
      : outcome === 'success' ? `Deployed to ${namespace}/${app}${run.release ? ` as release ${run.release}` : ''}`
      : `Deployment to ${namespace}/${app} failed (${run.error?.code ?? 'error'}): ${reason}`;
    await post(url, namespace, app, outcome, description, outcome === 'success' ? run.urls?.[0] : undefined);
  }

  const notifier: PreviewNotifier = {
    async refused({ parent, preview, sha, message }) {
      const url = endpoint(parent, sha);
      if (url) await post(url, parent.metadata.namespace, preview, 'failure', message);
    },
  };
  return { observer, notifier };
}
