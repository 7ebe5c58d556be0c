/**
 * GitLab deliveries to outcomes (pure). GitLab names the event in `X-Gitlab-Event`
 * ("Push Hook", "Tag Push Hook", "System Hook", …) and in the body's `object_kind`
 * (https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events).
 * A branch deletion is a push whose `after` is all zeros.
 */
import { z } from 'zod';
import { invalidPayload } from './parse-payload.ts';
import { lenientUrls, parseShape, refOutcome, requireUrls, urlsOf, type WebhookOutcome } from './webhook-outcome.ts';
import { mapGitlabMerge } from './map-gitlab-merge.ts';

/** Fields of `project` that name the repository. */
export const GITLAB_PROJECT_URL_KEYS = ['web_url', 'git_http_url', 'git_ssh_url', 'http_url', 'ssh_url'] as const;
/** Fields of the older `repository` block that name it. */
export const GITLAB_REPOSITORY_URL_KEYS = ['homepage', 'git_http_url', 'git_ssh_url', 'url'] as const;

const url = z.string().min(1).optional();
const pushShape = z.object({
  object_kind: z.literal(['push', 'tag_push']),
  ref: z.string().min(1),
  after: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a commit SHA'),
  project: z.object({ web_url: url, git_http_url: url, git_ssh_url: url, http_url: url, ssh_url: url }),
  repository: z.object({ homepage: url, git_http_url: url, git_ssh_url: url, url }).optional(),
});

/** Maps a GitLab delivery; `event` is the `X-Gitlab-Event` header. Throws `invalid_payload` on a malformed push. */
export function mapGitlabPush(event: string, payload: unknown): WebhookOutcome {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw invalidPayload('expected a JSON object');
  const kind = (payload as { object_kind?: unknown }).object_kind;
  // System hooks carry pushes too, with the same body.
  const isPush = ['Push Hook', 'Tag Push Hook', 'System Hook'].includes(event) && (kind === 'push' || kind === 'tag_push');
  if (['Merge Request Hook', 'System Hook'].includes(event) && kind === 'merge_request') return mapGitlabMerge(payload);
  if (!isPush) {
    const urls = [...lenientUrls(payload, 'project', GITLAB_PROJECT_URL_KEYS), ...lenientUrls(payload, 'repository', GITLAB_REPOSITORY_URL_KEYS)];
    return { kind: 'ignored', repositoryUrls: [...new Set(urls)], reason: `event ${event || String(kind)}: Slipway acts on pushes and merge requests only` };
  }
  const push = parseShape(pushShape, payload);
  const urls = [...new Set([...urlsOf(push.project, GITLAB_PROJECT_URL_KEYS), ...urlsOf(push.repository, GITLAB_REPOSITORY_URL_KEYS)])];
  return refOutcome(requireUrls(urls, 'project'), push.ref, push.after);
}
