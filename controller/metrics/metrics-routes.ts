/**
 * The metrics' HTTP side: `GET /metrics` in Prometheus' text format, open unless
 * `SLIPWAY_METRICS_TOKEN` is set (then `Authorization: Bearer <token>`, compared in
 * constant time), and a middleware counting webhook deliveries by the answer they got.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { unauthorized } from '../../core/error-cases.ts';
import { toProblem } from '../api/problem-middleware.ts';
import type { Metrics } from './create-metrics.ts';

/** GET /metrics */
export function metricsRoute(metrics: Pick<Metrics, 'render'>, token?: string): Middleware {
  const expected = token ? digest(token) : undefined;
  return async (ctx) => {
    if (expected) {
      const given = /^Bearer (.+)$/i.exec(ctx.get('authorization'))?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) throw unauthorized();
    }
    const { contentType, body } = await metrics.render();
    ctx.type = contentType;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
}

/** Counts each `/webhooks/<provider>` delivery by its outcome; errors pass on unchanged. */
export function countWebhooks(metrics: Pick<Metrics, 'webhookDelivered'>): Middleware {
  return async (ctx, next) => {
    const provider = /^\/webhooks\/(github|gitlab|gitea|generic)$/.exec(ctx.path)?.[1];
    if (!provider || ctx.method !== 'POST') return next();
    try {
      await next();
      metrics.webhookDelivered(provider, ctx.status, ctx.body);
    } catch (error) {
      metrics.webhookDelivered(provider, toProblem(error).status, undefined);
      throw error;
    }
  };
}

// Equal-length inputs for timingSafeEqual, whatever the token's length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
