import type { RouterMiddleware as Middleware } from '@koa/router';
import type { Readiness } from '../api-deps.ts';

/** GET /healthz — the process is up. No auth, no detail. */
export function healthzRoute(): Middleware {
  return (ctx) => {
    ctx.body = { status: 'ok' };
  };
}

/**
 * GET /readyz — the server can serve requests: its stores answer and its state can be
 * written. 503 otherwise, with the reason when one is known (a full or read-only disk).
 */
export function readyzRoute(ready: () => Promise<Readiness>): Middleware {
  return async (ctx) => {
    const answer = await ready().catch(() => false);
    ctx.status = answer === true ? 200 : 503;
    ctx.body = answer === true ? { status: 'ready' }
      : answer === false ? { status: 'not ready' }
      : { status: 'not ready', code: answer.code, reason: answer.reason };
  };
}
