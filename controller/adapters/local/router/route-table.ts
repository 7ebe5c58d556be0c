/**
 * Which target answers a host and path: exact host name, then the longest matching path
 * prefix.
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
  /** Adds or replaces the target of `host[/path]`. */
  set(route: string, target: T): void;
  remove(route: string): void;
  /** The target for a `Host` header and request path (path with query allowed). */
  match(hostHeader: string | undefined, path: string): RouteMatch<T> | undefined;
  /** True when some route is on this host. */
  hasHost(hostHeader: string | undefined): boolean;
}

/** Creates an empty routing table. */
export function createRouteTable<T>(): RouteTable<T> {
  // host → routes sorted longest prefix first, so the first match is the best.
  const hosts = new Map<string, { prefix: string; target: T }[]>();
  return {
    set(route, target) {
      const { host, prefix } = parseRoute(route);
      const routes = (hosts.get(host) ?? []).filter((entry) => entry.prefix !== prefix);
      routes.push({ prefix, target });
      routes.sort((a, b) => b.prefix.length - a.prefix.length);
      hosts.set(host, routes);
    },
    remove(route) {
      const { host, prefix } = parseRoute(route);
      const routes = (hosts.get(host) ?? []).filter((entry) => entry.prefix !== prefix);
      if (routes.length) hosts.set(host, routes);
      else hosts.delete(host);
    },
    match(hostHeader, path) {
      const host = hostName(hostHeader);
      const routes = host === undefined ? undefined : hosts.get(host);
      const found = routes?.find((entry) => underPrefix(path, entry.prefix));
      return found && { target: found.target, prefix: found.prefix };
    },
    hasHost: (hostHeader) => {
      const host = hostName(hostHeader);
      return host !== undefined && hosts.has(host);
    },
  };
}
