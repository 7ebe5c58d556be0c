/**
 * Short-lived tokens for Epinio's WebSocket endpoints (`GET /api/v1/authtoken`): its CLI
 * cannot send BasicAuth on a WebSocket, so it fetches a token and passes it as
 * `?authtoken=`. A token names its user and expiry and is signed with HMAC-SHA256 keyed
 * by that user's password hash: every replica can check it, and a changed password
 * voids it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { User } from '../../auth/user-store.ts';

/** How long a token lasts: it is used at once, to open one socket. */
export const AUTH_TOKEN_TTL_MS = 60_000;

const sign = (user: User, payload: string) => createHmac('sha256', user.passwordHash).update(payload).digest('base64url');

/** A token for `user`, valid until `now + AUTH_TOKEN_TTL_MS`. */
export function issueAuthToken(user: User, now: number): string {
  const payload = `${Buffer.from(user.username).toString('base64url')}.${now + AUTH_TOKEN_TTL_MS}`;
  return `${payload}.${sign(user, payload)}`;
}

/** The user a token was issued to, when its signature holds and it has not expired. */
export function verifyAuthToken(token: string, now: number, find: (username: string) => User | undefined): User | undefined {
  const [name, expires, signature, extra] = token.split('.');
  if (!name || !expires || !signature || extra !== undefined || !(Number(expires) > now)) return undefined;
  const user = find(Buffer.from(name, 'base64url').toString('utf8'));
  if (!user) return undefined;
  const expected = Buffer.from(sign(user, `${name}.${expires}`));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? user : undefined;
}
