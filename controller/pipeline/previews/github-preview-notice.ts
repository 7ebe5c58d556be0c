/**
 * Refusals of previews told on GitHub: a `failure` commit status on the pull request's
 * head, in the context the preview's own deployments use (`slipway/<ns>/<preview>`), so
 * the pull request shows why it has no preview where it would show the link. Errors are
 * logged and swallowed, as for every commit status.
 */
import type { Logger } from '../../../core/ports/logger.ts';
import { normaliseRepoUrl } from '../../../core/repo-url.ts';
import { redact } from '../../../core/redact.ts';
import type { CommitStatusClient } from '../../watch/create-github-client.ts';
import type { PreviewNotifier } from './preview-notice.ts';

/** Options of {@link createGithubPreviewNotifier}. */
export interface GithubPreviewNoticeOptions {
  octokit: CommitStatusClient;
  logger: Logger;
  /** Web host whose repositories get statuses (default github.com). */
  githubHost?: string;
  /** Where the status links to: the page explaining previews, or nothing. */
  helpUrl?: string;
  /** Prefix of the status context (default `slipway`). */
  context?: string;
}

/** Creates the notifier. */
export function createGithubPreviewNotifier(options: GithubPreviewNoticeOptions): PreviewNotifier {
  const host = (options.githubHost ?? 'github.com').toLowerCase();
  return {
    async refused({ parent, preview, number, sha, reason, message }) {
      const origin = parent.spec.origin;
      if (origin?.kind !== 'git') return;
      const [repoHost, owner, repo, ...rest] = (normaliseRepoUrl(origin.url) ?? '').split('/');
      if (repoHost !== host || !owner || !repo || rest.length > 0 || !/^[0-9a-f]{40}$/.test(sha)) return;
      const namespace = parent.metadata.namespace;
      try {
        await options.octokit.rest.repos.createCommitStatus({
          owner, repo, sha, state: 'failure', description: message.length > 140 ? `${message.slice(0, 139)}…` : message,
          context: `${options.context ?? 'slipway'}/${namespace}/${preview}`, ...(options.helpUrl ? { target_url: options.helpUrl } : {}),
        });
      } catch (error) {
        options.logger.warn({ namespace, app: parent.metadata.name, number, reason, err: redact(String((error as Error)?.message ?? error)) }, 'could not post the preview refusal to GitHub');
      }
    },
  };
}
