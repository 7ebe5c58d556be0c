/**
 * A full list of a resource collection, page by page (`limit` + `continue`), so a
 * cache of thousands of objects never holds one huge response body in memory.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { isKubeStatus } from '../kube-errors.ts';
import { kubeRequest } from './kube-request.ts';

/** The items of a full list and the resourceVersion to watch from. */
export interface ListedObject<T> {
  items: T[];
  resourceVersion: string;
}

interface ListPage<T> {
  kind?: string;
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

/** Cache key of an object: `namespace/name` ('' namespace for cluster-scoped kinds). */
export function objectKey(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/**
 * Lists everything under `path`. Items get `apiVersion` and `kind` filled in (the API
 * server leaves them out of list items of built-in kinds, but watch events carry
 * them, and a cache should hold one shape). A `continue` token that expired (410)
 * restarts the list from the beginning, as client-go's pager does.
 */
export async function listAll<T extends KubernetesObject>(
  kc: KubeConfig,
  options: {
    path: string; labelSelector?: string; fieldSelector?: string; pageSize: number; signal?: AbortSignal;
    /** What to keep of each item, applied page by page, so the full items of earlier pages are garbage before the next arrives. */
    keep?: (item: T) => T;
  },
): Promise<ListedObject<T>> {
  for (let attempt = 0; ; attempt++) {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    try {
      do {
        const page = await kubeRequest<ListPage<T>>(kc, {
          method: 'GET', path: options.path, signal: options.signal,
          query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: options.pageSize, continue: token },
        });
        const kind = page.kind?.replace(/List$/, '');
        for (const item of page.items ?? []) {
          item.apiVersion ??= page.apiVersion;
          item.kind ??= kind;
          items.push(options.keep ? options.keep(item) : item);
        }
        token = page.metadata?.continue || undefined;
        resourceVersion = page.metadata?.resourceVersion ?? '';
      } while (token);
      return { items, resourceVersion };
    } catch (error) {
      if (!(token && attempt < 2 && isKubeStatus(error, 410))) throw error;
    }
  }
}
