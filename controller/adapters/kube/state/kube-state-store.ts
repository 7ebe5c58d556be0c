/**
 * The state store on Kubernetes: namespaces are labelled Kubernetes namespaces, apps
 * are `apps.slipway.dev` custom resources (charts/slipway/crds/). Reads go to the API
 * server every time, so a write is visible to the next read (an informer cache would
 * lag behind); the reconciler keeps its own cache.
 *
 * `updateApp` is optimistic concurrency done for the caller: read, apply the mutation,
 * write with the resourceVersion read, and on 409 Conflict start again from a fresh
 * read, so that two writers (API and reconciler, or two replicas) never lose a write.
 * Spec and metadata go through the main resource, status through `/status`, as
 * Kubernetes requires once a CRD has a status subresource.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { StateStore, AppMutation } from '../../../../core/ports/state-store.ts';
import type { App } from '../../../../core/types.ts';
import type { Clock } from '../../../../core/ports/clock.ts';
import { silentLogger, type Logger } from '../../../../core/ports/logger.ts';
import { isSlipwayError, type SlipwayError } from '../../../../core/errors.ts';
import { appExists, appNotFound, conflict, namespaceNotFound } from '../../../../core/error-cases.ts';
import { assertName } from '../../../../core/names.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import { createKeyLock } from '../../state/key-lock.ts';
import { appFromResource, appToResource, pruneEmpty, statusResource, type AppResource, type KubeApp } from './app-resource.ts';
import { createAppResourceClient } from './app-resource-client.ts';
import { createKubeNamespaces } from './kube-namespaces.ts';
import { isNamespaceMissing } from './not-found.ts';
import { backoffDelay } from './retry-transient.ts';

/** Options for {@link createKubeStateStore}. */
export interface KubeStateStoreOptions {
  kc: KubeConfig;
  clock: Clock;
  logger?: Logger;
  /** Tries of one `updateApp` against concurrent writers before giving up with `conflict` (default 12). */
  conflictAttempts?: number;
  /** First delay after a conflict, doubled each time with jitter (default 10 ms). */
  conflictBaseMs?: number;
}

const sameLabels = (next: Record<string, string> | undefined, current: Record<string, string> | undefined) =>
  next === undefined || isDeepStrictEqual(next, current ?? {});

/** Creates a {@link StateStore} over the App custom resource and labelled namespaces. */
export function createKubeStateStore({ kc, clock, logger = silentLogger, conflictAttempts = 12, conflictBaseMs = 10 }: KubeStateStoreOptions): StateStore {
  const apps = createAppResourceClient(kc);
  const namespaces = createKubeNamespaces(kc.makeApiClient(CoreV1Api), clock);
  const log = logger.child({ component: 'kube-state-store' });
  // Updates of one app from this process queue up instead of racing each other into
  // conflicts; only writers in other processes (replicas, kubectl) can still conflict.
  const withLock = createKeyLock();

  /** Our errors pass; API answers become SlipwayErrors naming what was being done. */
  const translate = (error: unknown, what: string): SlipwayError => (isSlipwayError(error) ? error : fromKubeError(error, what));

  async function requireNamespace(namespace: string): Promise<void> {
    if (!(await namespaces.get(namespace))) throw namespaceNotFound(namespace);
  }

  /** Writes what `mutate` changed relative to `base`: the main resource if spec or metadata changed, `/status` if status did. */
  async function write(base: AppResource, next: KubeApp): Promise<App> {
    const current = appFromResource(base);
    let latest = base;
    const specChanged = !isDeepStrictEqual(pruneEmpty(next.spec), current.spec);
    const metaChanged = !sameLabels(next.metadata.labels, current.metadata.labels) || !sameLabels(next.metadata.annotations, current.metadata.annotations);
    if (specChanged || metaChanged) latest = await apps.replace(appToResource(next, base));
    const status = pruneEmpty(next.status ?? {});
    if (!isDeepStrictEqual(status, current.status)) latest = await apps.replaceStatus(statusResource(latest, status));
    return appFromResource(latest);
  }

  async function updateApp(namespace: string, name: string, mutate: AppMutation): Promise<App> {
    return withLock(`${namespace}/${name}`, () => updateAppUnlocked(namespace, name, mutate));
  }

  async function updateAppUnlocked(namespace: string, name: string, mutate: AppMutation): Promise<App> {
    for (let attempt = 1; ; attempt++) {
      const base = await apps.read(namespace, name).catch((error: unknown) => { throw translate(error, `reading App ${namespace}/${name}`); });
      if (!base) throw appNotFound(namespace, name);
      const next = await mutate(structuredClone(appFromResource(base))) as KubeApp;
      try {
        return await write(base, next);
      } catch (error) {
        if (isKubeStatus(error, 404)) throw appNotFound(namespace, name);
        if (!isKubeStatus(error, 409)) throw translate(error, `writing App ${namespace}/${name}`);
        if (attempt >= conflictAttempts) {
          log.warn({ namespace, app: name, attempts: attempt }, 'gave up updating an App: it kept changing under us');
          throw conflict(`application "${name}" in namespace "${namespace}"`);
        }
        log.debug({ namespace, app: name, attempt }, 'App changed since read; reading it again');
        await sleep(backoffDelay(attempt - 1, conflictBaseMs));
      }
    }
  }

  return {
    listNamespaces: () => namespaces.list(),
    getNamespace: (name) => namespaces.get(name),
    createNamespace: (name) => namespaces.create(name),
    deleteNamespace: (name) => namespaces.delete(name),

    async listApps(namespace) {
      await requireNamespace(namespace);
      try {
        const items = await apps.list(namespace);
        return items.map(appFromResource).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      } catch (error) {
        throw translate(error, `listing Apps in ${namespace}`);
      }
    },

    async getApp(namespace, name) {
      try {
        const found = await apps.read(namespace, name);
        return found && appFromResource(found);
      } catch (error) {
        throw translate(error, `reading App ${namespace}/${name}`);
      }
    },

    async createApp(input) {
      const { namespace, name } = input.metadata;
      assertName('namespace', namespace);
      assertName('application', name);
      await requireNamespace(namespace);
      const body = appToResource({ metadata: { namespace, name, resourceVersion: '', generation: 0, createdAt: '' }, spec: input.spec, status: {} });
      let created: AppResource;
      try {
        created = await apps.create(body);
      } catch (error) {
        if (isKubeStatus(error, 409)) throw appExists(namespace, name);
        if (isNamespaceMissing(error, namespace)) throw namespaceNotFound(namespace);
        if (isKubeStatus(error, 404)) await apps.assertCrd();
        throw translate(error, `creating App ${namespace}/${name}`);
      }
      const status = pruneEmpty(input.status ?? {});
      if (Object.keys(status).length === 0) return appFromResource(created);
      try {
        return await updateApp(namespace, name, (app) => ({ ...app, status }));
      } catch (error) {
        // An App without the status it was made with is not what the caller asked for: take it back.
        await apps.delete(namespace, name).catch((cleanup: unknown) => log.warn({ namespace, app: name, err: cleanup }, 'could not delete a half-created App'));
        throw error;
      }
    },

    updateApp,

    async deleteApp(namespace, name) {
      try {
        await apps.delete(namespace, name);
      } catch (error) {
        if (!isKubeStatus(error, 404)) throw translate(error, `deleting App ${namespace}/${name}`);
        await requireNamespace(namespace);
        await apps.assertCrd();
        throw appNotFound(namespace, name);
      }
    },
  };
}
