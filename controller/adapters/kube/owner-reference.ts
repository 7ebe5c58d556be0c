/**
 * Owner references to the App resource, so that deleting an App deletes what Slipway
 * made for it (Jobs, Deployments, Services, Ingresses, Secrets, caches) through
 * Kubernetes' garbage collector, even when Slipway is not running.
 */
import { CustomObjectsApi, type KubeConfig, type V1OwnerReference } from '@kubernetes/client-node';
import { APP_API_VERSION, APP_GROUP, APP_KIND, APP_PLURAL, APP_VERSION } from './labels.ts';
import { fromKubeError, isKubeStatus } from './kube-errors.ts';
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
    const found = await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: APP_GROUP, version: APP_VERSION, namespace, plural: APP_PLURAL, name: app }) as { metadata?: { uid?: string } };
    const uid = found.metadata?.uid;
    return uid ? { apiVersion: APP_API_VERSION, kind: APP_KIND, name: app, uid, controller: true, blockOwnerDeletion: true } : undefined;
  } catch (error) {
    if (isKubeStatus(error, 404)) return undefined;
    throw fromKubeError(error, `reading App ${namespace}/${app}`);
  }
}
