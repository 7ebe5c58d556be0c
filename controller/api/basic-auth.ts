/**
 * BasicAuth for `/api`. A missing, malformed or wrong header gets the same 401 with no
 * hint of which part was wrong.
 */
import type { Middleware } from 'koa';
import { bearerUnsupported, unauthorized } from '../../core/error-cases.ts';
import type { Authenticator } from '../auth/user-store.ts';

/** Parses `Authorization: Basic …` into its parts, or undefined. */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Koa middleware requiring valid BasicAuth credentials; sets `ctx.state.user`. */
export function basicAuth(auth: Authenticator): Middleware {
  return async (ctx, next) => {
    // Epinio's CLI sends `Bearer` after an OIDC login (`epinio login --oidc`), which Slipway has no issuer for.
    if (/^Bearer\s/i.test(ctx.get('authorization'))) throw bearerUnsupported();
    const credentials = parseBasicAuth(ctx.get('authorization'));
    const user = credentials && (await auth.authenticate(credentials.username, credentials.password));
    if (!user) throw unauthorized();
    ctx.state.user = user;
    await next();
  };
}
