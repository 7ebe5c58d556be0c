/**
 * The App resource's REST calls, each retried on transient failures and with its 404s
 * sorted out (no App, no namespace, or no CRD at all). Errors other than 404 and 409
 * are returned as client-node raised them; the store decides what they mean.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { APP_GROUP, APP_PLURAL, APP_VERSION, FIELD_MANAGER } from '../labels.ts';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import type { AppResource } from './app-resource.ts';
import { appCrdMissing, isObjectMissing } from './not-found.ts';
import { retryTransient } from './retry-transient.ts';

/** Calls on `apps.slipway.dev` objects. */
export interface AppResourceClient {
  /** The App, or undefined when there is none. Throws `kubernetes_crd_missing` when the resource type itself is missing. */
  read(namespace: string, name: string): Promise<AppResource | undefined>;
  /**
   * Every App in the namespace, in pages of 500. `keep` picks what to hold of each item
   * as its page arrives, so that the full items of a page are garbage before the next
   * one comes (a fresh listing of 10,000 Apps otherwise holds them all, managedFields
   * and all, at once).
   */
  list(namespace: string, keep?: (item: AppResource) => AppResource): Promise<AppResource[]>;
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
  const path = (namespace: string, name?: string, subresource?: string) =>
    resourcePath({ group: APP_GROUP, version: APP_VERSION, plural: APP_PLURAL, namespace, name, subresource });
  const fieldManager = { fieldManager: FIELD_MANAGER };
  let crdSeen = false;

  async function assertCrd(): Promise<void> {
    if (crdSeen) return;
    try {
      const found = await retryTransient(() => kubeRequest<{ resources?: Array<{ name: string }> }>(kc, { method: 'GET', path: `/apis/${APP_GROUP}/${APP_VERSION}` }));
      crdSeen = (found?.resources ?? []).some((r) => r.name === APP_PLURAL);
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw fromKubeError(error, 'looking up the App resource type');
    }
    if (!crdSeen) throw appCrdMissing();
  }

  return {
    async read(namespace, name) {
      try {
        return await retryTransient(() => kubeRequest<AppResource>(kc, { method: 'GET', path: path(namespace, name) }));
      } catch (error) {
        if (!isKubeStatus(error, 404)) throw error;
        // A 404 that does not name the App may be the API server not knowing the type at all.
        if (!isObjectMissing(error, name)) await assertCrd();
        return undefined;
      }
    },
    async list(namespace, keep) {
      const items: AppResource[] = [];
      let next: string | undefined;
      do {
        const token = next;
        let page: { items?: AppResource[]; metadata?: { continue?: string } };
        try {
          page = await retryTransient(() => kubeRequest<typeof page>(kc, { method: 'GET', path: path(namespace), query: { limit: 500, continue: token } }));
        } catch (error) {
          if (isKubeStatus(error, 404)) await assertCrd();
          throw error;
        }
        for (const item of page.items ?? []) items.push(keep ? keep(item) : item);
        next = page.metadata?.continue || undefined;
      } while (next);
      return items;
    },
    create: (body) => retryTransient(() => kubeRequest<AppResource>(kc, { method: 'POST', path: path(body.metadata.namespace), query: fieldManager, body })),
    replace: (body) => retryTransient(() => kubeRequest<AppResource>(kc, { method: 'PUT', path: path(body.metadata.namespace, body.metadata.name), query: fieldManager, body })),
    replaceStatus: (body) => retryTransient(() => kubeRequest<AppResource>(kc, { method: 'PUT', path: path(body.metadata.namespace, body.metadata.name, 'status'), query: fieldManager, body })),
    async delete(namespace, name) {
      await retryTransient(() => kubeRequest(kc, { method: 'DELETE', path: path(namespace, name), query: { propagationPolicy: 'Background' } }));
    },
    assertCrd,
  };
}
