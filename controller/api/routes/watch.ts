/**
 * Repository watching: turn it on or off, and how to point a provider's webhook here.
 */
import { assertIntervalHonoured } from '../../watch/parse-interval.ts';
import type { RouterMiddleware as Middleware } from '@koa/router';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import { requireApp } from '../../pipeline/lookup.ts';
import { readBody } from '../parse-body.ts';
import { assertWatchable } from '../../pipeline/assert-watchable.ts';
import { SlipwayError } from '../../../core/errors.ts';
import type { App, GitOrigin } from '../../../core/types.ts';
import { withoutUndefined } from '../../../core/without-undefined.ts';
import ipaddr from 'ipaddr.js';

const watchSchema = z.object({
  watch: z.boolean(),
  interval: z.string().regex(/^\d+(s|m|h)$/, 'an interval is a number with s, m or h, e.g. "1m"').optional(),
}).strict();

/** The app's git origin, or 409 `not_git`. */
function gitOrigin(app: App): GitOrigin {
  const origin = app.spec.origin;
  if (origin?.kind !== 'git') {
    throw new SlipwayError('not_git', `application "${app.metadata.name}" does not come from git; push it with --git URL,BRANCH to watch a branch`, { status: 409 });
  }
  return origin;
}

/** POST …/applications/:app/watch {watch, interval?} — the updated app. Refuses tags and commits (`watch_needs_branch`). */
export function watchRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const body = readBody(ctx, watchSchema);
    assertIntervalHonoured(body.interval, deps.watchMinIntervalMs);
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const origin = gitOrigin(app);
    const next: GitOrigin = body.watch
      ? await assertWatchable(deps.git, { ...origin, watch: true, interval: body.interval ?? origin.interval })
      : withoutUndefined({ ...origin, watch: false, interval: body.interval ?? origin.interval });
    const updated = await deps.store.updateApp(app.metadata.namespace, app.metadata.name, (current) => ({ ...current, spec: { ...current.spec, origin: next } }));
    await deps.watch?.refresh(app.metadata.namespace, app.metadata.name);
    if (body.watch) await deps.secrets.ensureWebhookSecret(app.metadata.namespace, app.metadata.name);
    ctx.body = updated;
  };
}

/**
 * A warning when providers cannot reach `base`: with no SLIPWAY_PUBLIC_URL the URLs are
 * the listening address, 127.0.0.1 by default (issue 13), which a webhook set up from
 * them would post to in vain.
 */
function unreachableWarning(base: string): string | undefined {
  const host = new URL(base).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = host === 'localhost' || host.endsWith('.localhost') || (ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback');
  return loopback ? `GitHub cannot reach ${base}; set SLIPWAY_PUBLIC_URL to an address it can reach` : undefined;
}

/** GET …/applications/:app/webhook — URLs, the app's secret and setup steps per provider. */
export function webhookRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const origin = gitOrigin(app);
    const secret = await deps.secrets.ensureWebhookSecret(app.metadata.namespace, app.metadata.name);
    const warning = unreachableWarning(deps.publicUrl());
    const previews = origin.previews?.enabled === true;
    const base = `${deps.publicUrl()}/webhooks`;
    const urls = { github: `${base}/github`, gitlab: `${base}/gitlab`, gitea: `${base}/gitea`, generic: `${base}/generic` };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      app: app.metadata.name, repository: origin.url, branch: origin.branch ?? origin.revision, watching: origin.watch === true,
      urls, secret, contentType: 'application/json', events: previews ? ['push', 'pull_request'] : ['push'], ...(warning ? { warning } : {}),
      instructions: {
        github: `Repository → Settings → Webhooks → Add webhook: Payload URL ${urls.github}, Content type application/json, Secret <the secret>, ${previews ? '"Let me select individual events": Pushes and Pull requests' : '"Just the push event"'}.`,
        gitlab: `Project → Settings → Webhooks: URL ${urls.gitlab}, Secret token <the secret>, trigger "Push events"${previews ? ' and "Merge request events"' : ''}.`,
        gitea: `Repository → Settings → Webhooks → Add webhook → Gitea (or Forgejo): Target URL ${urls.gitea}, POST, application/json, Secret <the secret>, trigger "Push"${previews ? ' and "Pull Request"' : ''}.`,
        generic: `POST ${urls.generic} with a JSON body {"repository": "<clone URL>", "ref": "refs/heads/<branch>"} and header X-Slipway-Signature-256: sha256=<hex HMAC-SHA256 of the body with the secret>.`,
      },
    };
  };
}
