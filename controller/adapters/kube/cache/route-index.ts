/**
 * Which Apps may hold a route on a host, kept from the App cache so that checking a
 * push's routes (controller/pipeline/app-routes.ts) looks at a handful of Apps instead
 * of listing every App of every namespace. An App is indexed under the hosts of the
 * routes it serves (`status.routes`) and claims (`spec.routes`); an App without spec
 * routes claims `<name>.<system domain>`, and since the domain can change while the
 * server runs (a derived one), such Apps are indexed by name and returned for any host
 * whose first label is that name. The answer is a superset: the route check applies
 * the exact rules to it.
 */
import { normalizeRoute, splitRoute } from '../../../../core/routes.ts';
import type { ResourceWatch } from '../control/watch-resource.ts';
import type { AppResource } from '../state/app-resource.ts';
import type { KubernetesObject } from '@kubernetes/client-node';

/** The index. */
export interface RouteIndex {
  /** `namespace/name` of every App that may serve or claim a route on one of `hosts` (normal form). */
  keysOnHosts(hosts: Iterable<string>): Set<string>;
}

const hostOf = (route: string): string | undefined => {
  try {
    return splitRoute(normalizeRoute(route)).host;
  } catch {
    // A route recorded before normal forms existed: its lower-cased host is what the check compares.
    return route.toLowerCase().split('/')[0];
  }
};

/** Where one App is filed: hosts, or its name when it has no spec routes. */
function placesOf(app: AppResource): { hosts: Set<string>; name?: string } {
  const hosts = new Set<string>();
  for (const route of [...(app.status?.routes ?? []), ...(app.spec?.routes ?? [])]) {
    const host = hostOf(route);
    if (host) hosts.add(host);
  }
  return { hosts, ...(app.spec?.routes?.length ? {} : { name: app.metadata.name.toLowerCase() }) };
}

/** Follows `apps` (subscribe before it starts). */
export function createRouteIndex(apps: ResourceWatch<AppResource & KubernetesObject>): RouteIndex {
  const byHost = new Map<string, Set<string>>();
  const byName = new Map<string, Set<string>>();
  const filed = new Map<string, { hosts: Set<string>; name?: string }>();

  const add = (map: Map<string, Set<string>>, at: string, key: string) => {
    let keys = map.get(at);
    if (!keys) map.set(at, keys = new Set());
    keys.add(key);
  };
  const drop = (map: Map<string, Set<string>>, at: string, key: string) => {
    const keys = map.get(at);
    keys?.delete(key);
    if (keys?.size === 0) map.delete(at);
  };

  function unfile(key: string): void {
    const places = filed.get(key);
    if (!places) return;
    for (const host of places.hosts) drop(byHost, host, key);
    if (places.name) drop(byName, places.name, key);
    filed.delete(key);
  }

  function file(app: AppResource): void {
    const key = `${app.metadata.namespace}/${app.metadata.name}`;
    unfile(key);
    const places = placesOf(app);
    for (const host of places.hosts) add(byHost, host, key);
    if (places.name) add(byName, places.name, key);
    filed.set(key, places);
  }

  apps.on('add', file);
  apps.on('update', file);
  apps.on('delete', (app) => unfile(`${app.metadata.namespace}/${app.metadata.name}`));

  return {
    keysOnHosts(hosts) {
      const keys = new Set<string>();
      for (const host of hosts) {
        for (const key of byHost.get(host) ?? []) keys.add(key);
        for (const key of byName.get(host.split('.')[0]!) ?? []) keys.add(key);
      }
      return keys;
    },
  };
}
