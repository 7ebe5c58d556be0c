/**
 * Authentication for `/api`: BasicAuth exactly as before when the request carries an
 * `Authorization` header, else the dashboard's session cookie. A session may read;
 * to change anything it must come from this server's own origin and carry the
 * session's CSRF token in `X-CSRF-Token`. Either way `ctx.state.user` is set, so the
 * routes' namespace rules (namespace-access.ts) apply unchanged.
 */
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import type { Authenticator } from '../auth/user-store.ts';
import { basicAuth } from '../api/basic-auth.ts';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, type UiSessions } from './ui-session.ts';
import { assertSameOrigin, readCookie, sessionCookieName } from './request-origin.ts';
import { csrfRefused } from './ui-errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Bodies up to this size are read before a refusal (a dashboard's JSON is far smaller). */
const DRAIN_BYTES = 64 * 1024;

/**
 * Reads and discards a small request body before its request is refused. Refused
 * unread, the body makes the server close the connection after answering
 * (api/linger-unread-body.ts); a browser that already sent its next request on that
 * kept-alive connection sees it close unanswered and sends it again — a POST that
 * had been carried out, done twice.
 */
export async function drainSmallBody(req: IncomingMessage): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (req.complete || !(declared <= DRAIN_BYTES)) return;
  for await (const _chunk of req) { /* discarded */ }
}

/** What {@link sessionOrBasicAuth} needs. */
export interface SessionAuthDeps {
  auth: Authenticator;
  sessions?: UiSessions;
  publicUrl: () => string;
}

/** The `/api` guard: BasicAuth, or a dashboard session with CSRF and same-origin checks on state changes. */
export function sessionOrBasicAuth(deps: SessionAuthDeps): Middleware {
  const basic = basicAuth(deps.auth);
  return async (ctx, next) => {
    if (ctx.get('authorization') || !deps.sessions) return basic(ctx, next);
    const session = deps.sessions.verify(readCookie(ctx.get('cookie'), sessionCookieName(ctx, deps.publicUrl())));
    // No valid session: BasicAuth's own 401, the same answer as before.
    if (!session) return basic(ctx, next);
    if (!SAFE_METHODS.has(ctx.method)) {
      assertSameOrigin(ctx, deps.publicUrl());
      if (!deps.sessions.csrfMatches(session, ctx.get('x-csrf-token'))) throw csrfRefused();
    }
    ctx.state.user = session.user;
    await next();
  };
}

/**
 * Mounted inside the problem middleware: a dashboard request refused before its small
 * body was read (CSRF, origin, a namespace it may not use) has the body read first, so
 * its connection stays open for the browser's next request ({@link drainSmallBody}).
 */
export const drainRefusedDashboardBodies: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (fromDashboard(ctx.get('cookie'), ctx.get('x-csrf-token'))) await drainSmallBody(ctx.req);
    throw error;
  }
};

/** True when a request comes from the dashboard (its cookie or its CSRF header), whose 401s must not open the browser's BasicAuth prompt. */
export function fromDashboard(cookieHeader: string, csrfHeader: string): boolean {
  return csrfHeader !== '' || readCookie(cookieHeader, SESSION_COOKIE) !== undefined || readCookie(cookieHeader, SECURE_SESSION_COOKIE) !== undefined;
}
