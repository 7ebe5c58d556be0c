import type { RouterMiddleware as Middleware } from '@koa/router';
import type { ServerInfo } from '../api-deps.ts';

/** GET /api/v1/info — version, runtime and store kinds; what `slipway login` checks. */
export function infoRoute(info: ServerInfo, live?: () => Promise<Partial<ServerInfo>>): Middleware {
  return async (ctx) => {
    ctx.body = { ...info, ...(await live?.()), defaultNamespace: 'workspace' };
  };
}
