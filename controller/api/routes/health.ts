import type { RouterMiddleware as Middleware } from '@koa/router';

/** GET /healthz — the process is up. No auth, no detail. */
export function healthzRoute(): Middleware {
  return (ctx) => {
    ctx.body = { status: 'ok' };
  };
}

/** GET /readyz — the server can serve requests (its stores answer). */
export function readyzRoute(ready: () => Promise<boolean>): Middleware {
  return async (ctx) => {
    const ok = await ready().catch(() => false);
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? 'ready' : 'not ready' };
  };
}
