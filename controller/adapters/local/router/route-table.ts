/**
 * Which target answers a host and path: exact host name, then the longest matching path
 * prefix. A route claimed by several owners (apps) belongs to the first one still
 * claiming it: a later claim never takes it over, and when the holder lets go the
 * route goes back to the one before, or to nobody. The API refuses such claims
 * already (app-routes.ts); this keeps the router right if one ever slips through.
 */
import { hostName, parseRoute, underPrefix } from './parse-host.ts';

/** A route that matched a request. */
export interface RouteMatch<T> {
  target: T;
  /** The route's path prefix (`''` for a whole host). */
  prefix: string;
}

/** The routing table. */
export interface RouteTable<T> {
  /** Adds or replaces `owner`'s target of `host[/path]` (owner: the app; default `''`). */
  set(route: string, target: T, owner?: string): void;
  /** Drops `owner`'s claim on the route. */
  remove(route: string, owner?: string): void;
  /** The target for a `Host` header and request path (path with query allowed). */
  match(hostHeader: string | undefined, path: string): RouteMatch<T> | undefined;
  /** True when some route is on this host. */
  hasHost(hostHeader: string | undefined): boolean;
}

/** Creates an empty routing table. */
export function createRouteTable<T>(): RouteTable<T> {
  // host → routes sorted longest prefix first, so the first match is the best; each
  // route's claims in the order they were made, the first one serving.
  const hosts = new Map<string, { prefix: string; claims: { owner: string; target: T }[] }[]>();
  return {
    set(route, target, owner = '') {
      const { host, prefix } = parseRoute(route);
      const routes = hosts.get(host) ?? [];
      let entry = routes.find((e) => e.prefix === prefix);
      if (!entry) {
        entry = { prefix, claims: [] };
        routes.push(entry);
        routes.sort((a, b) => b.prefix.length - a.prefix.length);
      }
      const claim = entry.claims.find((c) => c.owner === owner);
      if (claim) claim.target = target;
      else entry.claims.push({ owner, target });
      hosts.set(host, routes);
    },
    remove(route, owner = '') {
      const { host, prefix } = parseRoute(route);
      const routes = (hosts.get(host) ?? []).flatMap((entry) => {
        if (entry.prefix !== prefix) return [entry];
        const claims = entry.claims.filter((c) => c.owner !== owner);
        return claims.length ? [{ prefix, claims }] : [];
      });
      if (routes.length) hosts.set(host, routes);
      else hosts.delete(host);
    },
    match(hostHeader, path) {
      const host = hostName(hostHeader);
      const routes = host === undefined ? undefined : hosts.get(host);
      const found = routes?.find((entry) => underPrefix(path, entry.prefix));
      return found && { target: found.claims[0]!.target, prefix: found.prefix };
    },
    hasHost: (hostHeader) => {
      const host = hostName(hostHeader);
      return host !== undefined && hosts.has(host);
    },
  };
}
