import type { StateStore } from '../../core/ports/state-store.ts';
import type { App, Namespace } from '../../core/types.ts';
import { assertName } from '../../core/names.ts';
import { appNotFound, namespaceNotFound } from '../../core/error-cases.ts';

/** The namespace named in a route, or `namespace_not_found` / `invalid_name`. */
export async function requireNamespace(store: StateStore, name: string): Promise<Namespace> {
  const found = await store.getNamespace(assertName('namespace', name));
  if (!found) throw namespaceNotFound(name);
  return found;
}

/** The app named in a route, or `namespace_not_found` / `app_not_found` / `invalid_name`. */
export async function requireApp(store: StateStore, namespace: string, name: string): Promise<App> {
  await requireNamespace(store, namespace);
  const found = await store.getApp(namespace, assertName('application', name));
  if (!found) throw appNotFound(namespace, name);
  return found;
}
