/**
 * GitHub deliveries to outcomes (pure): `push` to a branch, `ping`, `pull_request`
 * (map-github-pull.ts) and everything else ignored. Field names follow GitHub's push payload
 * (https://docs.github.com/webhooks/webhook-events-and-payloads#push).
 */
import { z } from 'zod';
import { invalidPayload } from './parse-payload.ts';
import { lenientUrls, parseShape, refOutcome, requireUrls, urlsOf, type WebhookOutcome } from './webhook-outcome.ts';
import { mapGithubPull } from './map-github-pull.ts';

/** The repository fields that name it; `url` is the web URL on push events, the API URL elsewhere. */
export const GITHUB_URL_KEYS = ['html_url', 'clone_url', 'ssh_url', 'git_url', 'url'] as const;

const url = z.string().min(1).optional();
const repository = z.object({ html_url: url, clone_url: url, ssh_url: url, git_url: url, url });
const pushShape = z.object({
  ref: z.string().min(1),
  after: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a commit SHA').optional(),
  deleted: z.boolean().optional(),
  repository,
});
const pingShape = z.object({ zen: z.string().optional(), repository: repository.optional() });

/** Maps a GitHub delivery of type `event` (the `X-GitHub-Event` header). Throws `invalid_payload` on a malformed push or ping. */
export function mapGithubPush(event: string, payload: unknown): WebhookOutcome {
  if (event === 'push') {
    const push = parseShape(pushShape, payload);
    const urls = requireUrls(urlsOf(push.repository, GITHUB_URL_KEYS), 'repository');
    return refOutcome(urls, push.ref, push.after, push.deleted);
  }
  if (event === 'ping') {
    const ping = parseShape(pingShape, payload);
    const urls = urlsOf(ping.repository, GITHUB_URL_KEYS);
    return ping.zen === undefined ? { kind: 'ping', repositoryUrls: urls } : { kind: 'ping', repositoryUrls: urls, zen: ping.zen };
  }
  if (event === 'pull_request') return mapGithubPull(payload);
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw invalidPayload('expected a JSON object');
  return { kind: 'ignored', repositoryUrls: lenientUrls(payload, 'repository', GITHUB_URL_KEYS), reason: `event ${event}: Slipway acts on pushes and pull requests only` };
}
