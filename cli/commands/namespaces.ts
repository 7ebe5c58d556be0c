/** `slipway namespaces list|create`: thin calls of the namespaces API. */
import type { Namespace } from '../../core/types.ts';
import type { ApiClient, NamespaceSummary } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';

/** What the namespaces commands need. */
export interface NamespacesDeps {
  api: ApiClient;
}

/** `slipway namespaces list`: every namespace with its app names. */
export async function namespacesList(_options: object, deps: NamespacesDeps): Promise<NamespaceSummary[]> {
  return deps.api.listNamespaces();
}

/** `slipway namespaces create NAME`. */
export async function namespacesCreate(options: { name: string }, deps: NamespacesDeps): Promise<Namespace> {
  return deps.api.createNamespace(checkedName('namespace', options.name));
}
