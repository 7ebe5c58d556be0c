/**
 * Gitea and Forgejo deliveries to outcomes (pure). The event is in `X-Gitea-Event`
 * (or `X-Forgejo-Event`, `X-Gogs-Event`); the push body follows Gitea's
 * `PushPayload` (https://docs.gitea.com/usage/webhooks). A branch deletion arrives as a
 * `delete` event, or as a push whose `after` is all zeros.
 */
import { z } from 'zod';
import { invalidPayload } from './parse-payload.ts';
import { lenientUrls, parseShape, refOutcome, requireUrls, urlsOf, type WebhookOutcome } from './webhook-outcome.ts';
import { mapGiteaPull } from './map-gitea-pull.ts';

/** Fields of `repository` that name it. */
export const GITEA_URL_KEYS = ['html_url', 'clone_url', 'ssh_url'] as const;

const url = z.string().min(1).optional();
const pushShape = z.object({
  ref: z.string().min(1),
  after: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a commit SHA').optional(),
  repository: z.object({ html_url: url, clone_url: url, ssh_url: url }),
});

/** Maps a Gitea/Forgejo delivery of type `event`. Throws `invalid_payload` on a malformed push. */
export function mapGiteaPush(event: string, payload: unknown): WebhookOutcome {
  if (event === 'push') {
    const push = parseShape(pushShape, payload);
    return refOutcome(requireUrls(urlsOf(push.repository, GITEA_URL_KEYS), 'repository'), push.ref, push.after);
  }
  if (event === 'pull_request') return mapGiteaPull(payload);
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw invalidPayload('expected a JSON object');
  return { kind: 'ignored', repositoryUrls: lenientUrls(payload, 'repository', GITEA_URL_KEYS), reason: `event ${event}: Slipway acts on pushes and pull requests only` };
}
