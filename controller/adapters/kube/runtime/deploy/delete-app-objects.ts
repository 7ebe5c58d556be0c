/**
 * Removes everything Slipway made for one app, found by label: the Deployment (its pods
 * go with it), Service, Ingresses, env Secret, build cache claim and stage Jobs. The
 * App's owner references would have Kubernetes do the same, but the API deletes an app
 * through the runtime before (or without) its App resource.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { kubeRequest } from '../../control/kube-request.ts';
import { kindPath } from '../../control/object-path.ts';
import { LABELS, MANAGED_BY } from '../../labels.ts';
import { kubeCall } from './kube-call.ts';

/** The kinds an app owns, in deletion order (what serves traffic first). */
const KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
];

/** Label selector of everything Slipway made for `app`. */
export function appObjectsSelector(app: string): string {
  return `${LABELS.app}=${app},${LABELS.managedBy}=${MANAGED_BY}`;
}

/** Deletes every object of `app` in `namespace` (absent ones are fine). */
export async function deleteAppObjects(kc: KubeConfig, namespace: string, app: string): Promise<void> {
  const selector = appObjectsSelector(app);
  for (const { apiVersion, kind } of KINDS) {
    const list = await kubeCall(`listing the ${kind}s of ${namespace}/${app}`,
      () => kubeRequest<{ items: KubernetesObject[] }>(kc, { method: 'GET', path: kindPath(apiVersion, kind, namespace), query: { labelSelector: selector } }));
    for (const item of list.items) {
      const name = item.metadata?.name;
      if (!name) continue;
      // Background: the Deployment's ReplicaSets and pods and the Jobs' pods go too, without holding this call.
      await kubeCall(`deleting ${kind} ${namespace}/${name}`,
        () => kubeRequest(kc, { method: 'DELETE', path: kindPath(apiVersion, kind, namespace, name), query: { propagationPolicy: 'Background' } }),
        { allowNotFound: true });
    }
  }
}
