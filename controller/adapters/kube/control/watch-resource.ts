/**
 * A cache of one resource kind across all namespaces, kept current by list + watch —
 * an informer that does not give up. client-node's `ListWatch` stops on any error but
 * 410 and resumes from its old resourceVersion (TESTING.md), so this one is written
 * on `Watch` directly: it relists on 410 Gone, and after any other failure waits a
 * jittered exponential backoff and relists, emitting `delete` for objects that
 * vanished meanwhile and `update` for those that changed.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
// Deep path: the package index would load client-node's generated API and model catalogue (docs/adr/0005-slim-kubernetes-client.md).
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../../core/ports/logger.ts';
import { fromKubeError } from '../kube-errors.ts';
import { listAll, objectKey, type ListedObject } from './list-all.ts';

/** Options of {@link createResourceWatch}. */
export interface ResourceWatchOptions<T extends KubernetesObject = KubernetesObject> {
  kc: KubeConfig;
  /** Collection path over all namespaces, e.g. `/apis/slipway.dev/v1alpha1/apps`, `/apis/batch/v1/jobs`. */
  path: string;
  /** Only objects with these labels, e.g. `app.kubernetes.io/managed-by=slipway`. */
  labelSelector?: string;
  /** Only objects whose fields match, e.g. `metadata.name=slipway-s3` (one named object). */
  fieldSelector?: string;
  logger: Logger;
  /** Delay before retrying after a failure: `initialMs * 2^(n-1)`, at most `maxMs`, ±20 % jitter; back to `initialMs` once a watch has stayed up `resetAfterMs` (default 60 s). */
  backoff?: { initialMs: number; maxMs: number; resetAfterMs?: number };
  /** Source of jitter in [0, 1); default Math.random. */
  random?: () => number;
  /** Objects per list page (`limit`); default 500. */
  pageSize?: number;
  /** Keep `metadata.managedFields` (dropped by default: they are large and no reconciler reads them). */
  keepManagedFields?: boolean;
  /**
   * Returns what the cache keeps of an object (the fields its readers use), so a
   * thousand Deployments do not keep a thousand pod templates alive. Applied to every
   * listed and watched object before it is cached or handed to a handler.
   */
  slim?: (obj: T) => T;
}

/** The cache. Objects handed out are the cached ones, as the API server wrote them (JSON, times as strings): do not mutate them. */
export interface ResourceWatch<T extends KubernetesObject> {
  /** Starts listing and watching; resolves after the first full list (or when stopped first). Retries until then. */
  start(): Promise<void>;
  /** Ends the watch and any retry; resolves when the loop has exited. */
  stop(): Promise<void>;
  /** Every cached object. */
  list(): T[];
  /** One cached object; `namespace` is '' for cluster-scoped kinds. */
  get(namespace: string, name: string): T | undefined;
  /** A new object (from the watch or a relist). */
  on(event: 'add' | 'delete', handler: (obj: T) => void): void;
  /** A changed object (new resourceVersion); `old` is what the cache held before. */
  on(event: 'update', handler: (obj: T, old: T) => void): void;
  /** After every full list, once its add/update/delete events are out (a periodic "look at everything" hook). */
  on(event: 'resync', handler: () => void): void;
  /** True once the first list is in. */
  readonly synced: boolean;
}

/** A watch that ended normally this soon after connecting counts as a failure, so a server that keeps closing cannot make us spin. */
const MIN_HEALTHY_WATCH_MS = 1000;

/** Creates a {@link ResourceWatch}; nothing happens before `start()`. */
export function createResourceWatch<T extends KubernetesObject>(options: ResourceWatchOptions<T>): ResourceWatch<T> {
  const { kc, path, labelSelector, fieldSelector } = options;
  const logger = options.logger.child({ watch: path });
  const backoff = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000, ...options.backoff };
  const random = options.random ?? Math.random;
  const watcher = new Watch(kc);
  const handlers = { add: [] as Array<(obj: T) => void>, update: [] as Array<(obj: T, old: T) => void>, delete: [] as Array<(obj: T) => void>, resync: [] as Array<() => void> };

  let objects = new Map<string, T>();
  let resourceVersion = '';
  let synced = false;
  let failures = 0;
  let stopped = false;
  let loop: Promise<void> | undefined;
  let currentWatch: AbortController | undefined;
  /** Ends the pending watchOnce() at once on stop: an aborted stream may not report its end until more bytes arrive. */
  let endCurrent: (() => void) | undefined;
  const stopping = new AbortController();
  let markSynced!: () => void;
  const firstSync = new Promise<void>((resolve) => { markSynced = resolve; });

  function emit<A extends unknown[]>(list: Array<(...args: A) => void>, ...args: A): void {
    for (const handler of list) {
      try { handler(...args); } catch (error) { logger.error({ err: (error as Error)?.message }, 'watch event handler threw'); }
    }
  }

  function clean(obj: T): T {
    // Rebuilt rather than `delete`d: a delete turns metadata into a (larger) dictionary-mode object in V8.
    if (!options.keepManagedFields && obj.metadata && 'managedFields' in obj.metadata) {
      const { managedFields: _managedFields, ...metadata } = obj.metadata;
      obj.metadata = metadata;
    }
    return options.slim ? options.slim(obj) : obj;
  }

  function upsert(obj: T): void {
    const key = objectKey(obj);
    const old = objects.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    const kept = clean(obj);
    objects.set(key, kept);
    if (old) emit(handlers.update, kept, old); else emit(handlers.add, kept);
  }

  function remove(obj: T): void {
    const key = objectKey(obj);
    const old = objects.get(key);
    if (!old) return;
    objects.delete(key);
    emit(handlers.delete, clean(obj));
  }

  async function relist(): Promise<void> {
    const listed: ListedObject<T> = await listAll<T>(kc, { path, labelSelector, fieldSelector, pageSize: options.pageSize ?? 500, signal: stopping.signal, keep: clean });
    const fresh = new Map<string, T>();
    const added: T[] = [];
    const updated: Array<[T, T]> = [];
    for (const obj of listed.items) {
      const key = objectKey(obj);
      const old = objects.get(key);
      if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) {
        fresh.set(key, old); // keep the cached copy; the listed duplicate is garbage now
      } else {
        fresh.set(key, obj); // already cleaned page by page
        if (old) updated.push([obj, old]); else added.push(obj);
      }
    }
    const deleted = [...objects].filter(([key]) => !fresh.has(key)).map(([, obj]) => obj);
    objects = fresh;
    resourceVersion = listed.resourceVersion;
    for (const obj of added) emit(handlers.add, obj);
    for (const [obj, old] of updated) emit(handlers.update, obj, old);
    for (const obj of deleted) emit(handlers.delete, obj);
    logger.debug({ objects: fresh.size, added: added.length, updated: updated.length, deleted: deleted.length }, 'listed');
    if (!synced) { synced = true; markSynced(); }
    emit(handlers.resync);
  }

  /** One watch from `resourceVersion`. Resolves 'gone' on 410, 'closed' when it ends normally; rejects on failure. */
  function watchOnce(): Promise<'gone' | 'closed'> {
    return new Promise((resolve, reject) => {
      endCurrent = () => resolve('closed');
      let gone = false;
      let failed: { code?: number; message?: string } | undefined;
      const onEvent = (type: string, obj: T & { code?: number; message?: string }) => {
        if (stopped) return;
        if (type === 'ERROR') {
          if (obj.code === 410) gone = true; else failed = obj;
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED') upsert(obj);
        else if (type === 'DELETED') remove(obj);
        if (obj.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
      };
      const onDone = (error: (Error & { statusCode?: number }) | null) => {
        currentWatch = undefined;
        endCurrent = undefined;
        if (stopped) resolve('closed');
        else if (gone || error?.statusCode === 410) resolve('gone');
        else if (failed) reject(new Error(`watch error ${failed.code ?? ''}: ${failed.message ?? ''}`));
        else if (error?.name === 'TimeoutError') resolve('closed'); // idle too long: resume from resourceVersion
        else if (error) reject(error.statusCode ? new Error(`watch answered HTTP ${error.statusCode}`) : error);
        else resolve('closed');
      };
      const query = { resourceVersion, labelSelector, fieldSelector, allowWatchBookmarks: true, timeoutSeconds: Math.round(300 + 300 * random()) };
      watcher.watch(path, query, onEvent, onDone).then((controller) => {
        currentWatch = controller;
        if (stopped) controller.abort();
      }, reject);
    });
  }

  /** Next retry delay. `healthySince`: when the watch last came up after a failure; long enough ago resets the backoff. */
  function retryDelay(healthySince: number | undefined): number {
    if (healthySince !== undefined && performance.now() - healthySince >= backoff.resetAfterMs) failures = 0;
    failures += 1;
    const exponential = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1));
    return Math.round(exponential * (1 + 0.2 * (2 * random() - 1)));
  }

  async function run(): Promise<void> {
    let mustList = true;
    let healthySince: number | undefined;
    while (!stopped) {
      try {
        if (mustList) { await relist(); mustList = false; }
        const connectedAt = performance.now();
        healthySince ??= connectedAt;
        const outcome = await watchOnce();
        if (outcome === 'gone') { mustList = true; logger.info('watch history expired (410); relisting'); continue; }
        if (stopped || performance.now() - connectedAt >= MIN_HEALTHY_WATCH_MS) continue; // a normal end (server timeout): resume at once
        const delayMs = retryDelay(healthySince);
        healthySince = undefined;
        logger.debug({ retryInMs: delayMs }, 'watch closed at once; reconnecting after a delay');
        await sleep(delayMs, undefined, { signal: stopping.signal });
      } catch (error) {
        if (stopped) break;
        mustList = true;
        const delayMs = retryDelay(healthySince);
        healthySince = undefined;
        logger.warn({ retryInMs: delayMs, failures, err: fromKubeError(error, `watching ${path}`).message }, 'list/watch failed; relisting after a delay');
        await sleep(delayMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  return {
    start() {
      loop ??= run().catch((error: unknown) => { if (!stopped) logger.error({ err: (error as Error)?.message }, 'watch loop ended'); });
      return Promise.race([firstSync, loop]);
    },
    async stop() {
      stopped = true;
      stopping.abort();
      currentWatch?.abort();
      endCurrent?.();
      await loop;
    },
    list: () => [...objects.values()],
    get: (namespace, name) => objects.get(`${namespace}/${name}`),
    on(event: 'add' | 'update' | 'delete' | 'resync', handler: (...args: never[]) => void) {
      (handlers[event] as Array<typeof handler>).push(handler);
    },
    get synced() { return synced; },
  };
}
