/**
 * Host names as the router compares them.
 */
import { hostOfHeader } from '../../../../core/routes.ts';

/** The host name of a `Host` header or a route (one rule for the router and the API). */
export const hostName = hostOfHeader;

/** A route `host[:port][/path]` split into its host name and path prefix (no trailing slash; `''` for the whole host). */
export function parseRoute(route: string): { host: string; prefix: string } {
  const slash = route.indexOf('/');
  const host = hostName(slash === -1 ? route : route.slice(0, slash));
  if (!host) throw new Error(`route without a host: ${route}`);
  const prefix = slash === -1 ? '' : route.slice(slash).replace(/\/+$/, '');
  return { host, prefix };
}

/** True when `path` is `prefix` or below it on a segment boundary (`/api` matches `/api/x`, not `/apix`). */
export function underPrefix(path: string, prefix: string): boolean {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charAt(prefix.length);
  return next === '' || next === '/' || next === '?';
}
