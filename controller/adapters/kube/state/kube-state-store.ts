/**
 * The state store on Kubernetes: namespaces are labelled Kubernetes namespaces, apps
 * are `apps.slipway.dev` custom resources (charts/slipway/crds/). With the informer
 * caches (cache/kube-cache.ts, issue 12) reads come from them once synced, overlaid
 * with what this process wrote and the watch has not brought back yet
 * (cache/write-overlay.ts), so a push reads nothing from the API server; without them
 * (or before their first list) every read goes to the API server.
 *
 * `updateApp` is optimistic concurrency done for the caller: take the App as last
 * known (overlay, cache, else the API), apply the mutation, write with that
 * resourceVersion, and on 409 Conflict read it again from the API server — never the
 * cache, which may still be behind — and apply the mutation again, so that a stale
 * cache or two writers (API and reconciler, or two replicas) never lose a write.
 * Spec and metadata go through the main resource, status through `/status`, as
 * Kubernetes requires once a CRD has a status subresource.
 */
import type { KubeConfig } from '@kubernetes/client-node';
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
import type { KubeCache } from '../cache/kube-cache.ts';
import { createWriteOverlay } from '../cache/write-overlay.ts';
import { registerCacheLookups } from '../cache/cache-lookups.ts';
import { cachedAppView, keepAppResource } from './cached-app.ts';

/** Options for {@link createKubeStateStore}. */
export interface KubeStateStoreOptions {
  kc: KubeConfig;
  clock: Clock;
  logger?: Logger;
  /** Tries of one `updateApp` against concurrent writers before giving up with `conflict` (default 12). */
  conflictAttempts?: number;
  /** First delay after a conflict, doubled each time with jitter (default 10 ms). */
  conflictBaseMs?: number;
  /** The informer caches to read from once synced (the composition root starts them with the controller). */
  cache?: Pick<KubeCache, 'apps' | 'namespaces' | 'routes' | 'synced'>;
}

const sameLabels = (next: Record<string, string> | undefined, current: Record<string, string> | undefined) =>
  next === undefined || isDeepStrictEqual(next, current ?? {});

/** Creates a {@link StateStore} over the App custom resource and labelled namespaces. */
export function createKubeStateStore({ kc, clock, logger = silentLogger, conflictAttempts = 12, conflictBaseMs = 10, cache }: KubeStateStoreOptions): StateStore {
  const apps = createAppResourceClient(kc);
  const cached = () => cache?.synced === true;
  const namespaces = createKubeNamespaces(kc, clock, cache && { watch: cache.namespaces, synced: cached });
  const overlay = cache && createWriteOverlay<AppResource>(cache.apps);
  const log = logger.child({ component: 'kube-state-store' });
  // Updates of one app from this process queue up instead of racing each other into
  // conflicts; only writers in other processes (replicas, kubectl) can still conflict.
  const withLock = createKeyLock();

  /** Our errors pass; API answers become SlipwayErrors naming what was being done. */
  const translate = (error: unknown, what: string): SlipwayError => (isSlipwayError(error) ? error : fromKubeError(error, what));

  async function requireNamespace(namespace: string): Promise<void> {
    if (!(await namespaces.get(namespace))) throw namespaceNotFound(namespace);
  }

  /**
   * The App as last known: what this process wrote (while the watch has not brought it
   * back), else the cache; the API server when there is no synced cache, or the cache
   * does not hold it (it may have been made a moment ago, by another replica or kubectl).
   */
  async function current(namespace: string, name: string): Promise<AppResource | undefined> {
    if (!cached()) return apps.read(namespace, name);
    const held = overlay?.get(namespace, name);
    if (held) return held.gone ? undefined : held.object;
    return cache!.apps.get(namespace, name) ?? await apps.read(namespace, name);
  }

  // Owner references of what a push creates take the App's uid from here, not from a GET.
  if (cache) {
    registerCacheLookups(kc, {
      appUid(namespace, name) {
        if (!cached()) return undefined;
        const held = overlay!.get(namespace, name);
        return held ? (held.gone ? undefined : held.object.metadata.uid) : cache.apps.get(namespace, name)?.metadata.uid;
      },
    });
  }

  /** Writes what `mutate` changed relative to `base`: the main resource if spec or metadata changed, `/status` if status did. */
  async function write(base: AppResource, next: KubeApp): Promise<App> {
    const current = appFromResource(base);
    let latest = base;
    const specChanged = !isDeepStrictEqual(pruneEmpty(next.spec), current.spec);
    const metaChanged = !sameLabels(next.metadata.labels, current.metadata.labels) || !sameLabels(next.metadata.annotations, current.metadata.annotations);
    // Each answer is held at once: a failure of the second write must not leave the first unknown.
    if (specChanged || metaChanged) {
      latest = await apps.replace(appToResource(next, base));
      overlay?.hold(keepAppResource(latest));
    }
    const status = pruneEmpty(next.status ?? {});
    if (!isDeepStrictEqual(status, current.status)) {
      latest = await apps.replaceStatus(statusResource(latest, status));
      overlay?.hold(keepAppResource(latest));
    }
    return appFromResource(latest);
  }

  async function updateApp(namespace: string, name: string, mutate: AppMutation): Promise<App> {
    return withLock(`${namespace}/${name}`, () => updateAppUnlocked(namespace, name, mutate));
  }

  async function updateAppUnlocked(namespace: string, name: string, mutate: AppMutation): Promise<App> {
    const read = (fresh: boolean) => (fresh ? apps.read(namespace, name) : current(namespace, name))
      .catch((error: unknown) => { throw translate(error, `reading App ${namespace}/${name}`); });
    let base = await read(false);
    for (let attempt = 1; ; attempt++) {
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
        // A first conflict is most often a cache a moment behind: read again at once. More mean other writers: back off.
        if (attempt > 1) await sleep(backoffDelay(attempt - 2, conflictBaseMs));
        base = await read(true);
        if (base) overlay?.hold(keepAppResource(base));
      }
    }
  }

  // Cached resources are replaced, never changed, on each watch event: the App each one
  // stands for is made once, so listing a thousand Apps does not rebuild a thousand (issue 12),
  // and it shares the cached spec and status rather than copying them (state/cached-app.ts).
  const converted = new WeakMap<AppResource, App>();
  const listedApp = (resource: AppResource): App => {
    let app = converted.get(resource);
    if (!app) converted.set(resource, app = cachedAppView(resource));
    return app;
  };

  /**
   * What a fresh listing keeps of each App the API server lists: the cached resource
   * when it is that same version (the listed copy is then garbage at once), else the
   * listed one in the cache's shape. A new leader lists every App fresh (runner
   * recovery): with 10,000 Apps this was a second full copy of them all, with
   * managedFields, and a third as converted Apps (issue 12).
   */
  function keepListed(item: AppResource): AppResource {
    const known = cache!.apps.get(item.metadata.namespace, item.metadata.name);
    const same = known?.metadata.resourceVersion !== undefined && known.metadata.resourceVersion === item.metadata.resourceVersion;
    return same ? known! : keepAppResource(item);
  }

  /** Apps of `namespace` (every namespace when undefined) from the cache, overlaid with this process's writes. */
  function cachedApps(namespace?: string): AppResource[] {
    const found = new Map<string, AppResource>();
    for (const app of cache!.apps.list()) {
      if (namespace === undefined || app.metadata.namespace === namespace) found.set(`${app.metadata.namespace}/${app.metadata.name}`, app);
    }
    for (const app of overlay!.held()) {
      if (namespace === undefined || app.metadata.namespace === namespace) found.set(`${app.metadata.namespace}/${app.metadata.name}`, app);
    }
    for (const key of [...found.keys()]) {
      const [ns, name] = key.split('/') as [string, string];
      if (overlay!.get(ns, name)?.gone) found.delete(key);
    }
    return [...found.values()];
  }

  return {
    listNamespaces: () => namespaces.list(),
    getNamespace: (name) => namespaces.get(name),
    createNamespace: (name) => namespaces.create(name),
    deleteNamespace: (name) => namespaces.delete(name),

    async listApps(namespace, options) {
      await requireNamespace(namespace);
      try {
        // Listed Apps from the cache are shared between listings: callers read them, never change them.
        const listed = !cached() ? (await apps.list(namespace)).map(appFromResource)
          : options?.fresh ? (await apps.list(namespace, keepListed)).map(listedApp)
            : cachedApps(namespace).map(listedApp);
        return listed.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      } catch (error) {
        throw translate(error, `listing Apps in ${namespace}`);
      }
    },

    async getApp(namespace, name, options) {
      try {
        const found = options?.fresh ? await apps.read(namespace, name) : await current(namespace, name);
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
      overlay?.hold(keepAppResource(created));
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
        overlay?.forget(namespace, name, (overlay.get(namespace, name) as { object?: AppResource } | undefined)?.object?.metadata.resourceVersion ?? cache?.apps.get(namespace, name)?.metadata.resourceVersion);
      } catch (error) {
        if (!isKubeStatus(error, 404)) throw translate(error, `deleting App ${namespace}/${name}`);
        await requireNamespace(namespace);
        await apps.assertCrd();
        throw appNotFound(namespace, name);
      }
    },

    ...(cache ? {
      async appsOnHosts(hosts: string[]): Promise<App[]> {
        if (!cached()) return (await Promise.all((await namespaces.list()).map((ns) => apps.list(ns.name)))).flat().map(appFromResource);
        const keys = cache.routes.keysOnHosts(hosts);
        // Apps this process just wrote may not be indexed yet: they are few, so always looked at.
        for (const app of overlay!.held()) keys.add(`${app.metadata.namespace}/${app.metadata.name}`);
        const found: App[] = [];
        for (const key of keys) {
          const [ns, name] = key.split('/') as [string, string];
          const held = overlay!.get(ns, name);
          const resource = held ? (held.gone ? undefined : held.object) : cache.apps.get(ns, name);
          if (resource) found.push(appFromResource(resource));
        }
        return found;
      },
    } : {}),
  };
}
