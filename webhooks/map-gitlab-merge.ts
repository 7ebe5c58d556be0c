/**
 * GitLab merge request hooks to outcomes (pure), for preview apps (issue 15): open,
 * reopen and update open or update the preview; close and merge remove it. A merge
 * request from another project (`source_project_id` ≠ `target_project_id`) is a fork.
 * https://docs.gitlab.com/user/project/integrations/webhook_events/#merge-request-events
 */
import { z } from 'zod';
import { parseShape, requireUrls, urlsOf, type WebhookOutcome } from './webhook-outcome.ts';
import { GITLAB_PROJECT_URL_KEYS, GITLAB_REPOSITORY_URL_KEYS } from './map-gitlab-push.ts';

const url = z.string().min(1).optional();
const shape = z.object({
  object_kind: z.literal('merge_request'),
  object_attributes: z.object({
    iid: z.number().int().positive(),
    action: z.string().max(64).optional(),
    state: z.string().max(64).optional(),
    source_project_id: z.number().int().optional(),
    target_project_id: z.number().int().optional(),
    last_commit: z.object({ id: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a commit SHA') }).optional(),
    updated_at: z.string().max(64).optional(),
  }),
  project: z.object({ web_url: url, git_http_url: url, git_ssh_url: url, http_url: url, ssh_url: url }),
  repository: z.object({ homepage: url, git_http_url: url, git_ssh_url: url, url }).optional(),
});

/** Maps a merge request hook's body. Throws `invalid_payload` when it does not have that shape. */
export function mapGitlabMerge(payload: unknown): WebhookOutcome {
  const body = parseShape(shape, payload);
  const urls = [...new Set([...urlsOf(body.project, GITLAB_PROJECT_URL_KEYS), ...urlsOf(body.repository, GITLAB_REPOSITORY_URL_KEYS)])];
  const repositoryUrls = requireUrls(urls, 'project');
  const attributes = body.object_attributes;
  const closed = attributes.action === 'close' || attributes.action === 'merge' || attributes.state === 'closed' || attributes.state === 'merged';
  const opened = ['open', 'reopen', 'update'].includes(attributes.action ?? '');
  if (!closed && !opened) return { kind: 'ignored', repositoryUrls, reason: `merge request ${attributes.action ?? 'event'}: previews act on open, reopen, update, close and merge` };
  const fork = attributes.source_project_id !== undefined && attributes.source_project_id !== attributes.target_project_id;
  return {
    kind: 'pull_request', repositoryUrls, number: attributes.iid, action: closed ? 'close' : 'open', fork,
    ...(attributes.last_commit ? { head: attributes.last_commit.id } : {}), ...(attributes.updated_at ? { updatedAt: attributes.updated_at } : {}),
  };
}
