/**
 * Server-side applies the objects of one release (field manager `slipway`, forced, so
 * Slipway takes back fields someone changed by hand), then deletes the app's Ingresses
 * for routes that are no longer listed.
 */
import type { KubeConfig, KubernetesObject, V1Ingress } from '@kubernetes/client-node';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { objectPath } from '../../control/object-path.ts';
import { FIELD_MANAGER, LABELS, MANAGED_BY } from '../../labels.ts';
import type { ResourceWatch } from '../../control/watch-resource.ts';
import type { CachedIngress } from '../../cache/runtime-caches.ts';
import { appObjectsSelector } from './delete-app-objects.ts';
import { kubeCall } from './kube-call.ts';

/** What an apply returns: the stored object (its `metadata.generation` tells what the rollout must reach). */
export type Applied = KubernetesObject & { metadata?: { generation?: number } };

/** Applies `object` as Slipway. */
export function applyObject(kc: KubeConfig, object: KubernetesObject & { apiVersion: string; kind: string }, signal?: AbortSignal): Promise<Applied> {
  const what = `applying ${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`;
  return kubeCall(what, () => kubeRequest<Applied>(kc, { method: 'PATCH', patch: 'apply', path: objectPath(object), query: { fieldManager: FIELD_MANAGER, force: true }, body: object }), { signal });
}

/**
 * Deletes the Ingresses of `app` whose names are not in `keep`; returns the names deleted.
 * With the Ingress cache synced, the app's Ingresses are looked up there (issue 12): one
 * the cache still shows after it went is a DELETE answered 404, and one it does not show
 * yet was applied by an earlier deploy and goes at the next — names in `keep` are never
 * deleted, so a stale cache cannot take down a route that is listed.
 */
export async function pruneIngresses(kc: KubeConfig, namespace: string, app: string, keep: ReadonlySet<string>, signal?: AbortSignal, cached?: ResourceWatch<CachedIngress>): Promise<string[]> {
  const ingresses = (name?: string) => resourcePath({ group: 'networking.k8s.io', version: 'v1', namespace, plural: 'ingresses', name });
  const list = cached?.synced
    ? { items: cached.list().filter((i) => i.metadata?.namespace === namespace && i.metadata.labels?.[LABELS.app] === app && i.metadata.labels?.[LABELS.managedBy] === MANAGED_BY) }
    : await kubeCall(`listing the Ingresses of ${namespace}/${app}`,
      () => kubeRequest<{ items: V1Ingress[] }>(kc, { method: 'GET', path: ingresses(), query: { labelSelector: appObjectsSelector(app) }, signal }), { signal });
  const stale = list.items.map((ingress) => ingress.metadata?.name).filter((name): name is string => !!name && !keep.has(name));
  for (const name of stale) {
    await kubeCall(`deleting Ingress ${namespace}/${name}`, () => kubeRequest(kc, { method: 'DELETE', path: ingresses(name) }), { allowNotFound: true, signal });
  }
  return stale;
}
