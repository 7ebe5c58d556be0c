/**
 * Idle limits and long requests. The server ends a connection that has been silent
 * for {@link IdleLimits.idleMs} (a stalled upload, a client that went away), but some
 * answers are silent for longer by design: an import waits up to
 * `SLIPWAY_GIT_TIMEOUT_MS`, a synchronous stage up to the build timeout,
 * `staging/:id/complete` up to its `?timeout=`. Cutting those at the idle limit meant a
 * stalled import got no answer at all and a silent build step broke `--follow`
 * (issue 9.4). So routes that wait hold their connection open (their own deadline ends
 * them), and streams send a heartbeat well inside every idle limit on the way.
 */
import type { Context, Middleware } from 'koa';

/** The idle limits the server applies. */
export interface IdleLimits {
  /** A connection silent this long is closed (`SLIPWAY_IDLE_TIMEOUT_MS`). */
  idleMs: number;
  /** A stream with nothing to say sends an empty line this often. */
  heartbeatMs: number;
}

/** Limits for an idle timeout: heartbeats at a third of it, at most every 15 s (proxies commonly cut at 30-60 s). */
export function idleLimits(idleMs: number): IdleLimits {
  return { idleMs, heartbeatMs: Math.max(50, Math.min(15_000, Math.floor(idleMs / 3))) };
}

/**
 * Lifts the idle limit for this request: the route's own deadline ends it. The limit is
 * put back once the answer is sent, for the next request on a kept-alive connection.
 */
export function holdOpen(ctx: Context, limits: IdleLimits): void {
  const socket = ctx.req.socket;
  socket.setTimeout(0);
  ctx.res.once('finish', () => {
    if (!socket.destroyed) socket.setTimeout(limits.idleMs);
  });
}

/** {@link holdOpen} as a middleware, for the routes that wait. */
export function holdOpenMiddleware(limits: IdleLimits): Middleware {
  return (ctx, next) => {
    holdOpen(ctx, limits);
    return next();
  };
}
