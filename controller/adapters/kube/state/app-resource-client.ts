/**
 * The App resource's REST calls, each retried on transient failures and with its 404s
 * sorted out (no App, no namespace, or no CRD at all). Errors other than 404 and 409
 * are returned as client-node raised them; the store decides what they mean.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { APP_GROUP, APP_PLURAL, APP_VERSION, FIELD_MANAGER } from '../labels.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import type { AppResource } from './app-resource.ts';
import { appCrdMissing, isObjectMissing } from './not-found.ts';
import { retryTransient } from './retry-transient.ts';

/** Calls on `apps.slipway.dev` objects. */
export interface AppResourceClient {
  /** The App, or undefined when there is none. Throws `kubernetes_crd_missing` when the resource type itself is missing. */
  read(namespace: string, name: string): Promise<AppResource | undefined>;
  /** Every App in the namespace, in pages of 500. */
  list(namespace: string): Promise<AppResource[]>;
  create(body: AppResource): Promise<AppResource>;
  /** Replaces metadata and spec (status is ignored by the API server: it has its own subresource). */
  replace(body: AppResource): Promise<AppResource>;
  /** Replaces status through the `/status` subresource. */
  replaceStatus(body: AppResource): Promise<AppResource>;
  /** Deletes the App; Kubernetes' garbage collector removes what it owns. */
  delete(namespace: string, name: string): Promise<void>;
  /** Throws `kubernetes_crd_missing` unless the API server serves the App type (once seen, remembered). */
  assertCrd(): Promise<void>;
}

/** Creates an {@link AppResourceClient} on `kc`. */
export function createAppResourceClient(kc: KubeConfig): AppResourceClient {
  const api = kc.makeApiClient(CustomObjectsApi);
  const where = (namespace: string) => ({ group: APP_GROUP, version: APP_VERSION, namespace, plural: APP_PLURAL });
  let crdSeen = false;

  async function assertCrd(): Promise<void> {
    if (crdSeen) return;
    try {
      const resources = await retryTransient(() => api.getAPIResources({ group: APP_GROUP, version: APP_VERSION }));
      crdSeen = resources.resources.some((r) => r.name === APP_PLURAL);
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw fromKubeError(error, 'looking up the App resource type');
    }
    if (!crdSeen) throw appCrdMissing();
  }

  return {
    async read(namespace, name) {
      try {
        return await retryTransient(() => api.getNamespacedCustomObject({ ...where(namespace), name })) as AppResource;
      } catch (error) {
        if (!isKubeStatus(error, 404)) throw error;
        // A 404 that does not name the App may be the API server not knowing the type at all.
        if (!isObjectMissing(error, name)) await assertCrd();
        return undefined;
      }
    },
    async list(namespace) {
      const items: AppResource[] = [];
      let next: string | undefined;
      do {
        const token = next;
        let page: { items?: AppResource[]; metadata?: { continue?: string } };
        try {
          page = await retryTransient(() => api.listNamespacedCustomObject({ ...where(namespace), limit: 500, _continue: token }));
        } catch (error) {
          if (isKubeStatus(error, 404)) await assertCrd();
          throw error;
        }
        items.push(...(page.items ?? []));
        next = page.metadata?.continue || undefined;
      } while (next);
      return items;
    },
    create: (body) => retryTransient(() => api.createNamespacedCustomObject({ ...where(body.metadata.namespace), body, fieldManager: FIELD_MANAGER })),
    replace: (body) => retryTransient(() => api.replaceNamespacedCustomObject({ ...where(body.metadata.namespace), name: body.metadata.name, body, fieldManager: FIELD_MANAGER })),
    replaceStatus: (body) => retryTransient(() => api.replaceNamespacedCustomObjectStatus({ ...where(body.metadata.namespace), name: body.metadata.name, body, fieldManager: FIELD_MANAGER })),
    async delete(namespace, name) {
      await retryTransient(() => api.deleteNamespacedCustomObject({ ...where(namespace), name, propagationPolicy: 'Background' }));
    },
    assertCrd,
  };
}
