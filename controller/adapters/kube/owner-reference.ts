/**
 * Owner references to the App resource, so that deleting an App deletes what Slipway
 * made for it (Jobs, Deployments, Services, Ingresses, Secrets, caches) through
 * Kubernetes' garbage collector, even when Slipway is not running.
 */
import type { KubeConfig, V1OwnerReference } from '@kubernetes/client-node';
import { APP_API_VERSION, APP_GROUP, APP_KIND, APP_PLURAL, APP_VERSION } from './labels.ts';
import { fromKubeError, isKubeStatus } from './kube-errors.ts';
import { kubeRequest, resourcePath } from './control/kube-request.ts';
import { cacheLookups } from './cache/cache-lookups.ts';

/**
 * The owner reference of App `namespace/app`, or undefined when there is no App
 * resource (objects are then left without an owner; deleting the app through Slipway
 * still removes them by label).
 */
export async function appOwnerReference(kc: KubeConfig, namespace: string, app: string): Promise<V1OwnerReference | undefined> {
  // A uid never changes for the life of an object: the App cache's is as good as a GET's.
  const cached = cacheLookups(kc)?.appUid(namespace, app);
  if (cached) return { apiVersion: APP_API_VERSION, kind: APP_KIND, name: app, uid: cached, controller: true, blockOwnerDeletion: true };
  try {
    const found = await kubeRequest<{ metadata?: { uid?: string } }>(kc, { method: 'GET', path: resourcePath({ group: APP_GROUP, version: APP_VERSION, namespace, plural: APP_PLURAL, name: app }) });
    const uid = found.metadata?.uid;
    return uid ? { apiVersion: APP_API_VERSION, kind: APP_KIND, name: app, uid, controller: true, blockOwnerDeletion: true } : undefined;
  } catch (error) {
    if (isKubeStatus(error, 404)) return undefined;
    throw fromKubeError(error, `reading App ${namespace}/${app}`);
  }
}
