/**
 * One comment per preview on its GitHub pull request, updated in place (issue 15): the
 * preview's URL once it serves, or why its last deployment failed. Found again after a
 * restart by a hidden marker in its body. Needs a token that may write issue comments;
 * a 401 or 403 turns comments off for the life of the process (the commit statuses
 * still say it all), and any other failure is logged and swallowed.
 */
import type { Logger } from '../../../core/ports/logger.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { Run } from '../../../core/types.ts';
import { normaliseRepoUrl } from '../../../core/repo-url.ts';
import { redact } from '../../../core/redact.ts';
import type { RunObserver } from '../create-runner.ts';

/** The calls the commenter makes; an authenticated `Octokit` satisfies it. */
export interface PreviewCommentClient {
  rest: {
    issues: {
      listComments(params: { owner: string; repo: string; issue_number: number; per_page?: number; page?: number }): Promise<{ data: { id: number; body?: string | null }[] }>;
      createComment(params: { owner: string; repo: string; issue_number: number; body: string }): Promise<{ data: { id: number } }>;
      updateComment(params: { owner: string; repo: string; comment_id: number; body: string }): Promise<unknown>;
    };
  };
}

/** Options of {@link createPreviewCommenter}. */
export interface PreviewCommentOptions {
  client: PreviewCommentClient;
  store: Pick<StateStore, 'getApp'>;
  logger: Logger;
  /** Web host whose repositories get comments (default github.com). */
  githubHost?: string;
}

/** Pages of comments read to find ours again (100 each). */
const MAX_PAGES = 5;

/** The marker that finds a preview's comment again. */
export const commentMarker = (namespace: string, app: string) => `<!-- slipway-preview ${namespace}/${app} -->`;

/** The comment's text for a finished run, or undefined for runs that change nothing on it. */
function commentBody(namespace: string, app: string, parent: string, run: Run): string | undefined {
  const marker = commentMarker(namespace, app);
  const revision = run.revision ? ` at \`${run.revision.slice(0, 12)}\`` : '';
  if (run.phase === 'succeeded' && run.urls?.[0]) {
    return `${marker}\n**Preview of ${parent}**${revision}: ${run.urls[0]}\n\nSlipway redeploys it on every push to this pull request and deletes it when the pull request closes.`;
  }
  if (run.phase === 'failed' && run.error && run.error.code !== 'superseded' && run.error.code !== 'cancelled') {
    const reason = redact(run.error.message).replace(/\s+/g, ' ').slice(0, 500);
    return `${marker}\n**Preview of ${parent}**${revision} failed (${run.error.code}): ${reason}`;
  }
  return undefined;
}

/** Creates the observer; pass it to `createRunner` next to the commit-status reporter. */
export function createPreviewCommenter(options: PreviewCommentOptions): RunObserver {
  const host = (options.githubHost ?? 'github.com').toLowerCase();
  const ids = new Map<string, number>();
  let allowed = true;
  // One chain: comments of one preview are written in order, and a find never races a create.
  let chain = Promise.resolve();

  async function write(namespace: string, app: string, run: Run): Promise<void> {
    const found = await options.store.getApp(namespace, app);
    const preview = found?.spec.preview;
    const origin = found?.spec.origin;
    if (!preview || origin?.kind !== 'git') return;
    const body = commentBody(namespace, app, preview.parent, run);
    if (!body) return;
    const [repoHost, owner, repo, ...rest] = (normaliseRepoUrl(origin.url) ?? '').split('/');
    if (repoHost !== host || !owner || !repo || rest.length > 0) return;
    const key = `${namespace}/${app}/${preview.number}`;
    const issues = options.client.rest.issues;
    try {
      let id = ids.get(key);
      for (let page = 1; id === undefined && page <= MAX_PAGES; page += 1) {
        const { data } = await issues.listComments({ owner, repo, issue_number: preview.number, per_page: 100, page });
        id = data.find((c) => c.body?.startsWith(commentMarker(namespace, app)))?.id;
        if (data.length < 100) break;
      }
      if (id === undefined) id = (await issues.createComment({ owner, repo, issue_number: preview.number, body })).data.id;
      else await issues.updateComment({ owner, repo, comment_id: id, body });
      ids.set(key, id);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 401 || status === 403) allowed = false;
      options.logger.warn({ namespace, app, status, err: redact(String((error as Error)?.message ?? error)) },
        allowed ? 'could not write the preview comment' : 'the GitHub token may not write pull request comments: preview comments are off');
    }
  }

  return (namespace, app, run) => {
    if (!allowed || (run.phase !== 'succeeded' && run.phase !== 'failed')) return;
    chain = chain.then(() => write(namespace, app, run)).catch(() => {});
    return chain;
  };
}
