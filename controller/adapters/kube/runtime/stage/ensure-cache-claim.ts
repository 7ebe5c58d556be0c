/**
 * The app's build cache: one ReadWriteOnce PersistentVolumeClaim per app, kept across
 * stages (the lifecycle's `-cache-dir`) so rebuilds reuse dependency layers. Created
 * once and left alone after: a claim's spec is mostly immutable.
 */
import type { KubeConfig, V1OwnerReference, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { appLabels } from '../../labels.ts';
import { fromKubeError, isKubeStatus } from '../../kube-errors.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { cacheClaimName } from './stage-names.ts';

/** The claim manifest. */
export function buildCacheClaim(namespace: string, app: string, size: string, storageClass?: string, owner?: V1OwnerReference): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: cacheClaimName(app), namespace, labels: appLabels(app, 'cache'), ...(owner ? { ownerReferences: [owner] } : {}) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(storageClass ? { storageClassName: storageClass } : {}),
    },
  };
}

/**
 * Creates the app's cache claim unless it exists; returns its name. Creates first and
 * takes AlreadyExists as "there": one request a stage instead of a GET and a POST
 * (issue 12). A create refused for another reason (a quota counting claims, RBAC
 * without create) falls back to reading it, so an existing claim still serves.
 */
export async function ensureCacheClaim(kc: KubeConfig, namespace: string, app: string, size: string, storageClass?: string, owner?: V1OwnerReference): Promise<string> {
  const name = cacheClaimName(app);
  try {
    await kubeRequest(kc, { method: 'POST', path: resourcePath({ version: 'v1', namespace, plural: 'persistentvolumeclaims' }), body: buildCacheClaim(namespace, app, size, storageClass, owner) });
    return name;
  } catch (error) {
    if (isKubeStatus(error, 409)) return name;
    try {
      await kubeRequest(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'persistentvolumeclaims', name }) });
    } catch (readError) {
      if (isKubeStatus(readError, 404)) throw fromKubeError(error, `creating PersistentVolumeClaim ${namespace}/${name}`);
      throw fromKubeError(readError, `reading PersistentVolumeClaim ${namespace}/${name}`);
    }
    return name;
  }
}
