/**
 * Pull request preview apps (issue 15): turn them on or off for an app watched from
 * git, and list them.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import { requireApp } from '../../pipeline/lookup.ts';
import { readBody } from '../parse-body.ts';
import { SlipwayError } from '../../../core/errors.ts';
import { DEFAULT_MAX_PREVIEWS, type App, type PreviewSettings } from '../../../core/types.ts';
import { withoutUndefined } from '../../../core/without-undefined.ts';
import { MAX_PREVIEWS_LIMIT } from '../schemas.ts';
import { previewsOf } from '../../pipeline/previews/check-preview.ts';
import { deleteApp } from '../../pipeline/delete-app.ts';

const previewsSchema = z.object({
  enabled: z.boolean(),
  max: z.number().int().min(1).max(MAX_PREVIEWS_LIMIT).optional(),
  allowForks: z.boolean().optional(),
}).strict();

/** The settings with their defaults filled in, as answers show them. */
function effective(settings: PreviewSettings | undefined): Required<PreviewSettings> {
  return { enabled: settings?.enabled ?? false, max: settings?.max ?? DEFAULT_MAX_PREVIEWS, allowForks: settings?.allowForks ?? false };
}

/** One preview as lists show it. */
function summary(app: App) {
  const preview = app.spec.preview!;
  return withoutUndefined({
    name: app.metadata.name, number: preview.number, fork: preview.fork ?? false, ref: preview.ref,
    revision: app.status.release?.revision, phase: app.status.run?.phase, url: app.status.urls?.[0] ?? app.status.run?.urls?.[0],
  });
}

/** POST …/applications/:app/previews {enabled, max?, allowForks?} — the app's preview settings; turning them off deletes its previews. */
export function previewsSetRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const body = readBody(ctx, previewsSchema);
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const origin = app.spec.origin;
    if (app.spec.preview) throw new SlipwayError('preview_of_preview', `"${app.metadata.name}" is a preview of "${app.spec.preview.parent}"; previews cannot have previews`, { status: 409 });
    if (origin?.kind !== 'git') {
      throw new SlipwayError('not_git', `application "${app.metadata.name}" does not come from git; push it with --git URL,BRANCH --watch to have previews`, { status: 409 });
    }
    if (body.enabled && origin.watch !== true) {
      throw new SlipwayError('previews_need_watch', `application "${app.metadata.name}" is not watched; turn watching on first ("slipway app watch ${app.metadata.name}")`, { status: 409 });
    }
    const previews: PreviewSettings = withoutUndefined({
      enabled: body.enabled, max: body.max ?? origin.previews?.max, allowForks: body.allowForks ?? origin.previews?.allowForks,
    });
    const updated = await deps.store.updateApp(app.metadata.namespace, app.metadata.name, (current) => {
      const now = current.spec.origin;
      return now?.kind === 'git' ? { ...current, spec: { ...current.spec, origin: { ...now, previews } } } : current;
    });
    await deps.watch?.refresh(app.metadata.namespace, app.metadata.name);
    if (body.enabled) await deps.secrets.ensureWebhookSecret(app.metadata.namespace, app.metadata.name);
    const removed: string[] = [];
    if (!body.enabled) {
      const parts = { ...deps, runtime: deps.pipeline?.deps.runtime, runner: deps.pipeline?.runner };
      for (const preview of previewsOf(await deps.store.listApps(app.metadata.namespace), app.metadata.name)) {
        await deleteApp(parts, app.metadata.namespace, preview.metadata.name);
        removed.push(preview.metadata.name);
      }
    }
    const settings = updated.spec.origin?.kind === 'git' ? updated.spec.origin.previews : undefined;
    ctx.body = { app: app.metadata.name, previews: effective(settings), removed };
  };
}

/** GET …/applications/:app/previews — the settings and the open previews, in pull request order. */
export function previewsListRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const settings = app.spec.origin?.kind === 'git' ? app.spec.origin.previews : undefined;
    const items = previewsOf(await deps.store.listApps(app.metadata.namespace), app.metadata.name)
      .sort((a, b) => a.spec.preview!.number - b.spec.preview!.number).map(summary);
    ctx.body = { app: app.metadata.name, previews: effective(settings), items };
  };
}
