/**
 * An app's routes and who may have them. Routes are compared in their normal form
 * (core/routes.ts) across every namespace, under three rules (docs/routes.md):
 * 1. No app may claim a host the API answers on (`route_reserved`): the server's own
 *    names and addresses, `SLIPWAY_PUBLIC_URL`'s host, the bare system domain — else an
 *    app could receive every API call, with the caller's credentials (issue 9).
 * 2. Two apps never share a route (`route_conflict`).
 * 3. A host belongs to one namespace: once an app of a namespace claims or serves a
 *    host, apps of other namespaces cannot add paths below it (`route_conflict`),
 *    unless an administrator listed the host in `SLIPWAY_SHARED_HOSTS`.
 */
import type { StateStore } from '../../core/ports/state-store.ts';
import type { App } from '../../core/types.ts';
import { invalidRequest, routeConflict, routeReserved, systemDomainUnknown } from '../../core/error-cases.ts';
import { isAddressHost, isUnderDomain, normalizeRoute, splitRoute } from '../../core/routes.ts';

/** Which hosts are whose; built once by the composition root. */
export interface RoutePolicy {
  /**
   * `SLIPWAY_SYSTEM_DOMAIN` (normal form): apps get `<app>.<domain>` by default. Read at
   * each use: a derived domain (Kubernetes) can change while the server runs, and is ''
   * while none is known.
   */
  systemDomain: string;
  /** Hosts the API answers on (normal form); no app may claim them or a path below them. */
  reservedHosts: ReadonlySet<string>;
  /** `SLIPWAY_SHARED_HOSTS`: hosts, or `*.domain` patterns, that several namespaces may share path by path. */
  sharedHosts: readonly string[];
}

/** A policy with only a system domain (tests and tools that have no server around them). */
export function basicRoutePolicy(systemDomain: string): RoutePolicy {
  const domain = normalizeRoute(`x.${systemDomain}`).slice(2);
  return { systemDomain: domain, reservedHosts: new Set([domain]), sharedHosts: [] };
}

/**
 * The routes `app` answers on, in normal form: what its spec names, else
 * `<app>.<system domain>`. Spec routes are normalised again because an App resource
 * written with kubectl did not pass the API's validation; one that has no normal form
 * fails the deploy with `invalid_request`. With no routes and no system domain known
 * (`''`) it fails with `system_domain_unknown`, saying `problem` (what to do).
 */
export function routesOf(app: App, systemDomain: string, problem?: () => string | undefined): string[] {
  if (!app.spec.routes.length) {
    if (!systemDomain) throw systemDomainUnknown(app.metadata.name, problem?.() ?? 'set SLIPWAY_SYSTEM_DOMAIN, or give the app routes');
    return [`${app.metadata.name}.${systemDomain}`.toLowerCase()];
  }
  const routes = app.spec.routes.map((route) => {
    try {
      return normalizeRoute(route);
    } catch (error) {
      throw invalidRequest(`application "${app.metadata.name}": ${(error as Error).message}`, { field: 'configuration.routes' });
    }
  });
  return [...new Set(routes)];
}

/** Throws `route_reserved` when a route is on one of the API's own hosts. */
export function assertRoutesNotReserved(policy: RoutePolicy, routes: string[]): void {
  for (const route of routes) {
    const { host } = splitRoute(route);
    if (policy.reservedHosts.has(host) || isAddressHost(host)) throw routeReserved(route, host);
  }
}

/** True when `host` is listed in (or matches a `*.domain` pattern of) `SLIPWAY_SHARED_HOSTS`. */
export function isSharedHost(policy: RoutePolicy, host: string): boolean {
  return policy.sharedHosts.some((entry) => entry.startsWith('*.') ? isUnderDomain(host, entry.slice(2)) && host !== entry.slice(2) : entry === host);
}

/** What other apps hold when `app`'s routes are checked. */
export interface RouteCheck {
  /** Count the routes other apps' specs claim, not only those they serve (the API, when routes are set). */
  claims?: boolean;
  /** An administrator's request: may share a host with another namespace (rule 3), never a route (rule 2). */
  admin?: boolean;
}

/**
 * Throws `route_reserved` or `route_conflict` unless `app` may have `routes` (normal
 * form). Only apps on the same hosts can clash: a store with a route index names them
 * (issue 12: no listing of every app per push), else every app is looked at.
 */
export async function assertRoutesFree(store: StateStore, policy: RoutePolicy, app: App, routes: string[], check: RouteCheck = {}): Promise<void> {
  assertRoutesNotReserved(policy, routes);
  const { namespace, name } = app.metadata;
  for (const other of await candidates(store, routes)) {
    if (other.metadata.namespace === namespace && other.metadata.name === name) continue;
    const owner = `${other.metadata.namespace}/${other.metadata.name}`;
    const held = new Set((other.status.routes ?? []).map(normalOrSelf));
    if (check.claims) for (const route of claimsOf(other, policy.systemDomain)) held.add(route);
    const clash = routes.find((r) => held.has(r));
    if (clash) throw routeConflict(clash, owner);
    if (other.metadata.namespace === namespace || check.admin) continue;
    const hosts = new Set([...held].map((r) => splitRoute(r).host));
    const taken = routes.find((r) => hosts.has(splitRoute(r).host) && !isSharedHost(policy, splitRoute(r).host));
    if (taken) throw routeConflict(taken, owner, `host "${splitRoute(taken).host}" belongs to namespace "${other.metadata.namespace}"`);
  }
}

/** The apps that may hold a route on the hosts of `routes`: from the store's index, or all of them. */
async function candidates(store: StateStore, routes: string[]): Promise<App[]> {
  if (store.appsOnHosts) return store.appsOnHosts([...new Set(routes.map((r) => splitRoute(r).host))]);
  const all: App[] = [];
  for (const ns of await store.listNamespaces()) all.push(...await store.listApps(ns.name));
  return all;
}

/** A stored route in normal form (routes recorded before normal forms existed may differ). */
function normalOrSelf(route: string): string {
  try {
    return normalizeRoute(route);
  } catch {
    return route.toLowerCase();
  }
}

/** The routes an app's spec claims, in normal form; an unparsable one claims nothing. */
function claimsOf(app: App, systemDomain: string): string[] {
  try {
    return routesOf(app, systemDomain);
  } catch {
    return [];
  }
}
