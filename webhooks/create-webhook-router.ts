/**
 * The webhook endpoints under `/webhooks`: GitHub, GitLab, Gitea/Forgejo and a generic
 * HMAC endpoint. Mounted before BasicAuth: each delivery is guarded by its provider's
 * signature or token instead. Handlers do nothing slow, so GitHub's 10 s delivery
 * deadline (https://docs.github.com/webhooks/using-webhooks/best-practices-for-using-webhooks#respond-within-10-seconds)
 * is never near: they verify, enqueue a hint and answer 202.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { PreviewHint, RefreshHint } from '../core/repo-url.ts';
import type { Logger } from '../core/ports/logger.ts';
import { invalidRequest } from '../core/error-cases.ts';
import { headerToken, receiveDelivery, type DeliveryDeps, type ProviderSpec } from './receive-delivery.ts';
import { mapGithubPush } from './map-github-push.ts';
import { mapGitlabPush } from './map-gitlab-push.ts';
import { mapGiteaPush } from './map-gitea-push.ts';
import { mapGenericPush } from './map-generic-push.ts';
import { verifyGithubSignature, verifyGitlabToken, verifyHmacSha256 } from './verify-signature.ts';

/** What the webhook routes need from the server. */
export interface WebhookDeps {
  /** Secrets that may have signed a delivery for these repositories: the global ones (SLIPWAY_GITHUB_WEBHOOK_SECRET etc., several for rotation) plus the per-app secrets of apps watching any of them. */
  secretsFor(provider: RefreshHint['provider'], repositoryUrls: string[]): Promise<string[]>;
  /** Hands a verified hint to the watcher; must return at once (it only enqueues). 'full' → answer 503. Returns how many apps it matched. */
  hint(hint: RefreshHint): { matched: number } | 'full';
  /** Hands a verified pull request hint to the watcher (preview apps, issue 15); same contract as `hint`. */
  previewHint?(hint: PreviewHint): { matched: number } | 'full';
  /** SLIPWAY_WEBHOOK_MAX_BYTES, default 1 MiB. */
  maxBytes: number;
  /** Whole-body read deadline (slow bodies → 408). */
  readTimeoutMs: number;
  /** Deadline for `secretsFor` (→ 503 with Retry-After); default 500 ms, so answers stay within 1 s. */
  secretsTimeoutMs?: number;
  logger: Logger;
}

/** An event name from a header: short and plain, since it ends up in answers and logs. */
function eventHeader(ctx: Context, names: string[], fallback?: string): string {
  for (const name of names) {
    const value = ctx.get(name).trim();
    if (value) {
      if (!/^[\w .:-]{1,64}$/.test(value)) throw invalidRequest(`the ${name} header is not an event name`);
      return value;
    }
  }
  if (fallback !== undefined) return fallback;
  throw invalidRequest(`the ${names[0]} header is missing; is this a webhook delivery?`);
}

const github: ProviderSpec = {
  provider: 'github',
  event: (ctx) => eventHeader(ctx, ['X-GitHub-Event']),
  deliveryId: (ctx) => headerToken(ctx, 'X-GitHub-Delivery'),
  map: mapGithubPush,
  verify: (ctx, secrets, _body, text) =>
    verifyGithubSignature(secrets, text, ctx.get('X-Hub-Signature-256') || undefined, ctx.get('X-Hub-Signature') || undefined),
};

const gitlab: ProviderSpec = {
  provider: 'gitlab',
  event: (ctx) => eventHeader(ctx, ['X-Gitlab-Event']),
  deliveryId: (ctx) => headerToken(ctx, 'X-Gitlab-Event-UUID', 'X-Gitlab-Webhook-UUID'),
  map: mapGitlabPush,
  verify: (ctx, secrets) => verifyGitlabToken(secrets, ctx.get('X-Gitlab-Token') || undefined),
};

const gitea: ProviderSpec = {
  provider: 'gitea',
  event: (ctx) => eventHeader(ctx, ['X-Gitea-Event', 'X-Forgejo-Event', 'X-Gogs-Event']),
  deliveryId: (ctx) => headerToken(ctx, 'X-Gitea-Delivery', 'X-Forgejo-Delivery', 'X-Gogs-Delivery'),
  map: mapGiteaPush,
  verify: (ctx, secrets, body) => {
    const header = ['X-Gitea-Signature', 'X-Forgejo-Signature', 'X-Gogs-Signature'].find((name) => ctx.get(name)) ?? 'X-Gitea-Signature';
    verifyHmacSha256(secrets, body, ctx.get(header) || undefined, header);
  },
};

const generic: ProviderSpec = {
  provider: 'generic',
  event: () => 'push',
  deliveryId: (ctx) => headerToken(ctx, 'X-Slipway-Delivery'),
  map: (_event, payload) => mapGenericPush(payload),
  verify: (ctx, secrets, body) => verifyHmacSha256(secrets, body, ctx.get('X-Slipway-Signature-256') || undefined, 'X-Slipway-Signature-256', 'sha256='),
};

/**
 * Builds the `/webhooks` router. Never put a body parser in front of it: signatures are
 * checked on the raw bytes, which the routes read themselves under `maxBytes`.
 */
export function createWebhookRouter(deps: WebhookDeps): Router {
  const flow: DeliveryDeps = { ...deps, secretsTimeoutMs: deps.secretsTimeoutMs ?? 500 };
  const router = new Router({ prefix: '/webhooks', sensitive: true });
  // POST /webhooks/github
  router.post('/github', (ctx) => receiveDelivery(ctx, github, flow));
  // POST /webhooks/gitlab
  router.post('/gitlab', (ctx) => receiveDelivery(ctx, gitlab, flow));
  // POST /webhooks/gitea (Gitea, Forgejo, Gogs)
  router.post('/gitea', (ctx) => receiveDelivery(ctx, gitea, flow));
  // POST /webhooks/generic
  router.post('/generic', (ctx) => receiveDelivery(ctx, generic, flow));
  return router;
}
