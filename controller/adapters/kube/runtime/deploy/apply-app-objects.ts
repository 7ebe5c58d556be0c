/**
 * Server-side applies the objects of one release (field manager `slipway`, forced, so
 * Slipway takes back fields someone changed by hand), then deletes the app's Ingresses
 * for routes that are no longer listed.
 */
import { KubernetesObjectApi, NetworkingV1Api, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../labels.ts';
import { appObjectsSelector } from './delete-app-objects.ts';
import { kubeCall } from './kube-call.ts';

/** What an apply returns: the stored object (its `metadata.generation` tells what the rollout must reach). */
export type Applied = KubernetesObject & { metadata?: { generation?: number } };

/** Applies `object` as Slipway. */
export function applyObject(api: KubernetesObjectApi, object: KubernetesObject & { apiVersion: string; kind: string }, signal?: AbortSignal): Promise<Applied> {
  const what = `applying ${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`;
  return kubeCall(what, () => api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply), { signal });
}

/** Deletes the Ingresses of `app` whose names are not in `keep`; returns the names deleted. */
export async function pruneIngresses(kc: KubeConfig, namespace: string, app: string, keep: ReadonlySet<string>, signal?: AbortSignal): Promise<string[]> {
  const api = kc.makeApiClient(NetworkingV1Api);
  const list = await kubeCall(`listing the Ingresses of ${namespace}/${app}`,
    () => api.listNamespacedIngress({ namespace, labelSelector: appObjectsSelector(app) }), { signal });
  const stale = list.items.map((ingress) => ingress.metadata?.name).filter((name): name is string => !!name && !keep.has(name));
  for (const name of stale) {
    await kubeCall(`deleting Ingress ${namespace}/${name}`, () => api.deleteNamespacedIngress({ namespace, name }), { allowNotFound: true, signal });
  }
  return stale;
}
