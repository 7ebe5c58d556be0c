/**
 * Dashboard sessions: a signed cookie, not a server-side table. A session token names
 * its user and expiry and is signed with HMAC-SHA256 keyed by that user's password
 * hash (as Epinio's WebSocket tokens are, api/epinio/auth-token.ts): every replica can
 * check it, a restart keeps it, and a changed password or a removed user voids it.
 * The CSRF token is derived from the session token the same way, so it needs no
 * storage either. Signing out is remembered in memory until the token would have
 * expired (per replica; docs/adr/0006-dashboard.md says why that is enough).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { User } from '../auth/user-store.ts';

/** How long a dashboard session lasts from sign-in. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
/** The session cookie's name over plain HTTP. */
export const SESSION_COOKIE = 'slipway_session';
/**
 * Its name over HTTPS. Browsers accept a `__Host-` cookie only with `Secure`, `Path=/`
 * and no `Domain`, so an app on a sibling host (`app.example.com` next to the API's
 * `example.com`) cannot plant one of its own for the API's host (cookie tossing).
 */
export const SECURE_SESSION_COOKIE = '__Host-slipway_session';

/** A verified session. */
export interface UiSession {
  user: User;
  token: string;
  expiresAt: number;
}

/** Issues, checks and revokes session tokens. */
export interface UiSessions {
  issue(user: User): { token: string; expiresAt: number; maxAgeSeconds: number };
  verify(token: string | undefined): UiSession | undefined;
  /** The CSRF token every state change of this session must carry. */
  csrfToken(session: UiSession): string;
  csrfMatches(session: UiSession, given: string | undefined): boolean;
  revoke(session: UiSession): void;
}

const mac = (user: User, purpose: string, payload: string) => createHmac('sha256', user.passwordHash).update(`slipway-ui-${purpose}\0${payload}`).digest('base64url');

/** Equal strings, compared in constant time. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sessions over `find` (the users of the authenticator) and a clock. */
export function createUiSessions(find: (username: string) => User | undefined, now: () => number, ttlMs = SESSION_TTL_MS): UiSessions {
  // Signed-out tokens (by digest) until their expiry; bounded, oldest dropped first.
  const revoked = new Map<string, number>();
  const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
  return {
    issue(user) {
      const expiresAt = now() + ttlMs;
      const payload = `${Buffer.from(user.username).toString('base64url')}.${expiresAt}.${randomBytes(12).toString('base64url')}`;
      return { token: `${payload}.${mac(user, 'session', payload)}`, expiresAt, maxAgeSeconds: Math.floor(ttlMs / 1000) };
    },
    verify(token) {
      if (!token || token.length > 1024) return undefined;
      const [name, expires, nonce, signature, extra] = token.split('.');
      if (!name || !expires || !nonce || !signature || extra !== undefined) return undefined;
      const expiresAt = Number(expires);
      if (!(expiresAt > now())) return undefined;
      const user = find(Buffer.from(name, 'base64url').toString('utf8'));
      if (!user || !same(signature, mac(user, 'session', `${name}.${expires}.${nonce}`))) return undefined;
      if (revoked.has(digest(token))) return undefined;
      return { user, token, expiresAt };
    },
    csrfToken: (session) => mac(session.user, 'csrf', session.token),
    csrfMatches: (session, given) => typeof given === 'string' && given !== '' && same(given, mac(session.user, 'csrf', session.token)),
    revoke(session) {
      const time = now();
      for (const [key, until] of revoked) if (until <= time) revoked.delete(key);
      if (revoked.size >= 10_000) revoked.delete(revoked.keys().next().value!);
      revoked.set(digest(session.token), session.expiresAt);
    },
  };
}
