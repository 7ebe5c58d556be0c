/**
 * Gitea and Forgejo `pull_request` deliveries to outcomes (pure), for preview apps
 * (issue 15): opened, reopened and synchronized open or update the preview; closed
 * (merged or not) removes it. A head in another repository than the base is a fork.
 * https://docs.gitea.com/usage/webhooks
 */
import { z } from 'zod';
import { parseShape, requireUrls, urlsOf, type WebhookOutcome } from './webhook-outcome.ts';
import { GITEA_URL_KEYS } from './map-gitea-push.ts';

const url = z.string().min(1).optional();
const side = z.object({
  sha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a commit SHA').optional(),
  repo_id: z.number().int().optional(),
  repo: z.object({ full_name: z.string().optional() }).nullable().optional(),
});
const shape = z.object({
  action: z.string().max(64),
  number: z.number().int().positive(),
  pull_request: z.object({ head: side, base: side, updated_at: z.string().max(64).optional() }),
  repository: z.object({ html_url: url, clone_url: url, ssh_url: url }),
});

const OPEN = new Set(['opened', 'reopened', 'synchronized']);

/** Maps a `pull_request` delivery. Throws `invalid_payload` when the body does not have that shape. */
export function mapGiteaPull(payload: unknown): WebhookOutcome {
  const body = parseShape(shape, payload);
  const repositoryUrls = requireUrls(urlsOf(body.repository, GITEA_URL_KEYS), 'repository');
  const action = body.action === 'closed' ? 'close' : OPEN.has(body.action) ? 'open' : undefined;
  if (!action) return { kind: 'ignored', repositoryUrls, reason: `pull_request ${body.action}: previews act on opened, reopened, synchronized and closed` };
  const { head, base, updated_at: updatedAt } = body.pull_request;
  const fork = head.repo_id !== undefined && base.repo_id !== undefined
    ? head.repo_id !== base.repo_id
    : !head.repo?.full_name || head.repo.full_name.toLowerCase() !== base.repo?.full_name?.toLowerCase();
  return { kind: 'pull_request', repositoryUrls, number: body.number, action, fork, ...(head.sha ? { head: head.sha } : {}), ...(updatedAt ? { updatedAt } : {}) };
}
