/**
 * Slipway namespaces on Kubernetes: Kubernetes namespaces labelled
 * `slipway.dev/namespace=true`. The label is what makes one Slipway's, so Slipway
 * never lists, fills or deletes a namespace some other team owns; an existing one
 * is adopted only when a cluster admin labels it. With a cache (the namespace watch),
 * reads come from it, and from the API only for a name it does not hold (yet).
 */
import type { KubeConfig, V1Namespace } from '@kubernetes/client-node';
import type { Namespace } from '../../../../core/types.ts';
import type { Clock } from '../../../../core/ports/clock.ts';
import { SlipwayError } from '../../../../core/errors.ts';
import { namespaceExists, namespaceNotFound } from '../../../../core/error-cases.ts';
import { assertName } from '../../../../core/names.ts';
import { FIELD_MANAGER, LABELS, MANAGED_BY } from '../labels.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import { retryTransient } from './retry-transient.ts';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';
import type { ResourceWatch } from '../control/watch-resource.ts';
import { createWriteOverlay } from '../cache/write-overlay.ts';

/** The label selector of Slipway namespaces. */
export const NAMESPACE_SELECTOR = `${LABELS.namespace}=true`;

/** The namespace part of the Kubernetes state store. */
export interface KubeNamespaces {
  list(): Promise<Namespace[]>;
  get(name: string): Promise<Namespace | undefined>;
  create(name: string): Promise<Namespace>;
  delete(name: string): Promise<void>;
}

const isSlipways = (ns: V1Namespace) => ns.metadata?.labels?.[LABELS.namespace] === 'true';
// A namespace being deleted is gone for Slipway: its objects are going, and it cannot be filled again.
const isTerminating = (ns: V1Namespace) => ns.status?.phase === 'Terminating' || ns.metadata?.deletionTimestamp !== undefined;

/** The namespace cache, when the process keeps one. */
export interface NamespaceCache {
  watch: ResourceWatch<V1Namespace & { metadata?: { name?: string } }>;
  /** True while reads may come from the cache (its first list is in). */
  synced(): boolean;
}

function toNamespace(ns: V1Namespace, clock: Clock): Namespace {
  const created = ns.metadata?.creationTimestamp;
  const createdAt = created instanceof Date ? created.toISOString() : typeof created === 'string' ? created : clock.now().toISOString();
  return { name: ns.metadata?.name ?? '', createdAt };
}

/** The error for a Kubernetes namespace that exists but is not labelled as Slipway's. */
function foreignNamespace(name: string): SlipwayError {
  return new SlipwayError('namespace_exists',
    `Kubernetes namespace "${name}" already exists but is not a Slipway namespace; to let Slipway use it, label it: kubectl label namespace ${name} ${NAMESPACE_SELECTOR}`,
    { status: 409, retry: 'stalled', data: { namespace: name, foreign: true } });
}

const path = (name?: string) => resourcePath({ version: 'v1', plural: 'namespaces', name });

/** Namespace operations over the API, reading from `cache` when one is given. */
export function createKubeNamespaces(kc: KubeConfig, clock: Clock, cache?: NamespaceCache): KubeNamespaces {
  const overlay = cache && createWriteOverlay(cache.watch);

  async function readFromApi(name: string): Promise<V1Namespace | undefined> {
    try {
      return await retryTransient(() => kubeRequest<V1Namespace>(kc, { method: 'GET', path: path(name) }));
    } catch (error) {
      if (isKubeStatus(error, 404)) return undefined;
      throw fromKubeError(error, `reading namespace ${name}`);
    }
  }

  /** From what this process wrote, else the cache; a name neither holds is asked for (it may be new). */
  async function read(name: string): Promise<V1Namespace | undefined> {
    if (!cache?.synced()) return readFromApi(name);
    const held = overlay?.get('', name);
    if (held) return held.gone ? undefined : held.object;
    return cache.watch.get('', name) ?? await readFromApi(name);
  }

  return {
    async list() {
      let found: V1Namespace[];
      if (cache?.synced()) {
        const byName = new Map(cache.watch.list().map((ns) => [ns.metadata?.name ?? '', ns]));
        for (const ns of overlay!.held()) byName.set(ns.metadata?.name ?? '', ns);
        for (const name of [...byName.keys()]) if (overlay!.get('', name)?.gone) byName.delete(name);
        found = [...byName.values()];
      } else {
        try {
          found = (await retryTransient(() => kubeRequest<{ items?: V1Namespace[] }>(kc, { method: 'GET', path: path(), query: { labelSelector: NAMESPACE_SELECTOR } }))).items ?? [];
        } catch (error) {
          throw fromKubeError(error, 'listing namespaces');
        }
      }
      return found.filter((ns) => isSlipways(ns) && !isTerminating(ns)).map((ns) => toNamespace(ns, clock))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async get(name) {
      const ns = await read(name);
      return ns && isSlipways(ns) && !isTerminating(ns) ? toNamespace(ns, clock) : undefined;
    },

    async create(name) {
      assertName('namespace', name);
      const body: V1Namespace = {
        apiVersion: 'v1', kind: 'Namespace',
        metadata: { name, labels: { [LABELS.namespace]: 'true', [LABELS.managedBy]: MANAGED_BY } },
      };
      try {
        const created = await retryTransient(() => kubeRequest<V1Namespace>(kc, { method: 'POST', path: path(), query: { fieldManager: FIELD_MANAGER }, body }));
        overlay?.hold(created);
        return toNamespace(created, clock);
      } catch (error) {
        if (!isKubeStatus(error, 409)) throw fromKubeError(error, `creating namespace ${name}`);
      }
      const existing = await readFromApi(name);
      if (existing && isTerminating(existing)) {
        throw new SlipwayError('namespace_exists', `namespace "${name}" is still being deleted; try again once it is gone`,
          { status: 409, retry: 'waiting', data: { namespace: name } });
      }
      if (existing && !isSlipways(existing)) throw foreignNamespace(name);
      throw namespaceExists(name);
    },

    async delete(name) {
      const ns = await read(name);
      if (!ns || !isSlipways(ns) || isTerminating(ns)) throw namespaceNotFound(name);
      try {
        // The uid precondition: never delete a namespace of the same name made since we read it.
        await retryTransient(() => kubeRequest(kc, { method: 'DELETE', path: path(name), body: { preconditions: { uid: ns.metadata?.uid } } }));
        overlay?.forget('', name, ns.metadata?.resourceVersion);
      } catch (error) {
        if (isKubeStatus(error, 404)) throw namespaceNotFound(name);
        throw fromKubeError(error, `deleting namespace ${name}`);
      }
    },
  };
}
