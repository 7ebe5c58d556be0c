/**
 * Telling Epinio's CLI from Slipway's by the body it sent, so each gets the answer it
 * decodes. Epinio's Go client marshals `ApplicationUpdateRequest` with `instances`,
 * `configurations`, `environment` and `routes` always present (no `omitempty`; `null`
 * when unset), and deploy bodies with an `app` reference; Slipway's CLI sends none of them.
 */
import type { Context } from 'koa';
import { invalidRequest } from '../../../core/error-cases.ts';

function rawBody(ctx: Context): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  return body && typeof body === 'object' && !Array.isArray(body) ? body as Record<string, unknown> : {};
}

/** A create whose `configuration` is Epinio's `ApplicationUpdateRequest`. */
export function isEpinioCreate(ctx: Context): boolean {
  const configuration = rawBody(ctx).configuration;
  return !!configuration && typeof configuration === 'object' && 'configurations' in configuration;
}

/** A PATCH in Epinio's flat shape (no `configuration` wrapper). */
export function isEpinioUpdate(ctx: Context): boolean {
  const body = rawBody(ctx);
  return !('configuration' in body) && ['instances', 'configurations', 'environment', 'routes', 'restart'].some((key) => key in body);
}

/** A stage, deploy or deployments body carrying Epinio's `app` reference. */
export function isEpinioDeploy(ctx: Context): boolean {
  const app = rawBody(ctx).app;
  return !!app && typeof app === 'object';
}

/** Epinio settings Slipway cannot honour; empty or null passes, a value is refused rather than ignored. */
export function assertNoEpinioExtras(fields: { configurations?: string[] | null; settings?: Record<string, unknown> | null }): void {
  if (fields.configurations?.length) {
    throw invalidRequest('configurations: Slipway has no configurations (service bindings); remove them from the manifest or the --bind flags', { field: 'configurations' });
  }
  if (fields.settings && Object.keys(fields.settings).length) {
    throw invalidRequest('settings: Slipway has no app charts, so chart settings cannot be applied; remove them', { field: 'settings' });
  }
}

/** Epinio's `models.Response`: what its CLI decodes from a create, update or check. */
export const EPINIO_OK = { status: 'ok' } as const;
