/**
 * GitHub `pull_request` deliveries to outcomes (pure), for preview apps (issue 15):
 * opened, reopened, synchronize (new commits) and ready_for_review open or update the
 * preview; closed (merged or not) removes it; other actions are ignored. Field names
 * follow https://docs.github.com/webhooks/webhook-events-and-payloads#pull_request.
 */
import { z } from 'zod';
import { parseShape, requireUrls, urlsOf, type WebhookOutcome } from './webhook-outcome.ts';
import { GITHUB_URL_KEYS } from './map-github-push.ts';

const url = z.string().min(1).optional();
const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a commit SHA');
const repo = z.object({ full_name: z.string().optional() }).nullable().optional();
const shape = z.object({
  action: z.string().max(64),
  number: z.number().int().positive(),
  pull_request: z.object({
    head: z.object({ sha, repo }),
    base: z.object({ repo }),
    updated_at: z.string().max(64).optional(),
  }),
  repository: z.object({ html_url: url, clone_url: url, ssh_url: url, git_url: url, url }),
});

const OPEN = new Set(['opened', 'reopened', 'synchronize', 'ready_for_review']);

/** Maps a `pull_request` delivery. Throws `invalid_payload` when the body does not have that shape. */
export function mapGithubPull(payload: unknown): WebhookOutcome {
  const body = parseShape(shape, payload);
  const repositoryUrls = requireUrls(urlsOf(body.repository, GITHUB_URL_KEYS), 'repository');
  const action = body.action === 'closed' ? 'close' : OPEN.has(body.action) ? 'open' : undefined;
  if (!action) return { kind: 'ignored', repositoryUrls, reason: `pull_request ${body.action}: previews act on opened, reopened, synchronize and closed` };
  const { head, base, updated_at: updatedAt } = body.pull_request;
  // A head repository that is gone (a deleted fork) is a fork all the same.
  const fork = !head.repo?.full_name || head.repo.full_name.toLowerCase() !== base.repo?.full_name?.toLowerCase();
  return { kind: 'pull_request', repositoryUrls, number: body.number, action, fork, head: head.sha, ...(updatedAt ? { updatedAt } : {}) };
}
