/**
 * An app's routes: what its spec names, else `<app>.<system domain>`, checked against
 * every other app so two apps never claim the same host and path.
 */
import type { StateStore } from '../../core/ports/state-store.ts';
import type { App } from '../../core/types.ts';
import { routeConflict } from '../../core/error-cases.ts';

/** The routes `app` answers on. */
export function routesOf(app: App, systemDomain: string): string[] {
  return app.spec.routes.length ? app.spec.routes.map((r) => r.toLowerCase()) : [`${app.metadata.name}.${systemDomain}`.toLowerCase()];
}

/** Throws `route_conflict` when another app already serves one of `routes`. */
export async function assertRoutesFree(store: StateStore, app: App, routes: string[]): Promise<void> {
  for (const ns of await store.listNamespaces()) {
    for (const other of await store.listApps(ns.name)) {
      if (other.metadata.namespace === app.metadata.namespace && other.metadata.name === app.metadata.name) continue;
      const taken = new Set(other.status.routes ?? []);
      const clash = routes.find((r) => taken.has(r));
      if (clash) throw routeConflict(clash, `${other.metadata.namespace}/${other.metadata.name}`);
    }
  }
}
