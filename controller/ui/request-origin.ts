/**
 * Where a browser request comes from and how it reached us. Slipway does not trust
 * `X-Forwarded-*` headers (Koa runs with `proxy: false`): a request counts as HTTPS
 * when its own socket is TLS, or when it names the host of an `https://`
 * SLIPWAY_PUBLIC_URL — the operator's statement that users reach that host through
 * a TLS-terminating proxy or Ingress.
 */
import type { Context } from 'koa';
import { crossOrigin } from './ui-errors.ts';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from './ui-session.ts';

/** True when the browser reached this server over HTTPS (so cookies get `Secure`). */
export function isHttps(ctx: Context, publicUrl: string): boolean {
  if (ctx.secure) return true;
  const url = URL.canParse(publicUrl) ? new URL(publicUrl) : undefined;
  return url?.protocol === 'https:' && url.host.toLowerCase() === ctx.host.toLowerCase();
}

/** The origins this server is reached at: the request's own and the public URL's. */
function ownOrigins(ctx: Context, publicUrl: string): string[] {
  const origins = [`${ctx.protocol}://${ctx.host}`.toLowerCase()];
  if (URL.canParse(publicUrl)) origins.push(new URL(publicUrl).origin.toLowerCase());
  if (isHttps(ctx, publicUrl)) origins.push(`https://${ctx.host}`.toLowerCase());
  return origins;
}

/**
 * Refuses (403 `cross_origin`) a request another site sent: a `Sec-Fetch-Site` other
 * than same-origin (or none: typed by the user), or an `Origin` that is not ours.
 * Browsers send at least one of them on every POST, PATCH and DELETE.
 */
export function assertSameOrigin(ctx: Context, publicUrl: string): void {
  const site = ctx.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw crossOrigin(ctx.get('origin') || `a ${site} page`);
  const origin = ctx.get('origin');
  if (origin && !ownOrigins(ctx, publicUrl).includes(origin.toLowerCase())) throw crossOrigin(origin);
}

/** The value of cookie `name` in a `Cookie` header. */
export function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session cookie's name for this request: `__Host-` prefixed over HTTPS. */
export function sessionCookieName(ctx: Context, publicUrl: string): string {
  return isHttps(ctx, publicUrl) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** A `Set-Cookie` value for the session: HttpOnly, SameSite=Strict, whole-site path, Secure over HTTPS. */
export function sessionCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
