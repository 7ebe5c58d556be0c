/** Object storage with one global resourceVersion counter and a bounded event history. */
import { cloneJson } from './json-clone.ts';

/** Any stored object. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: Metadata;
  [field: string]: unknown;
};

/** The metadata fields the fake reads or writes. */
export type Metadata = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  managedFields?: ManagedFieldsEntry[];
  finalizers?: string[];
  [field: string]: unknown;
};

/** One `metadata.managedFields` entry. */
export type ManagedFieldsEntry = {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
};

/** A change, as watches see it. `key` is the storage key (`group/plural`); `object` is shared with the store and other listeners: read it, never change it. */
export type StoreEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; key: string; object: KubeObject; rv: number };

/** The store shared by the HTTP handlers and the simulated controllers. */
export type Store = ReturnType<typeof createStore>;

/** Create an empty store. `historyLimit` bounds the events a watch can resume from. */
export function createStore(historyLimit = 10_000) {
  const data = new Map<string, Map<string, KubeObject>>();
  const history: StoreEvent[] = [];
  const listeners = new Set<(event: StoreEvent) => void>();
  let rv = 1;
  // Watches from a resourceVersion older than this get 410 Expired.
  let oldestResumable = 1;

  const bucket = (key: string): Map<string, KubeObject> => {
    let b = data.get(key);
    if (!b) data.set(key, (b = new Map()));
    return b;
  };
  const id = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;

  const emit = (type: StoreEvent['type'], key: string, object: KubeObject): KubeObject => {
    rv += 1;
    object.metadata.resourceVersion = String(rv);
    // The event holds the stored object itself (never changed in place: a write stores a
    // new copy), not a copy of it: history, watches and the fake's controllers only read it.
    const event: StoreEvent = { type, key, object, rv };
    history.push(event);
    if (history.length > historyLimit) {
      const dropped = history.splice(0, history.length - historyLimit);
      oldestResumable = dropped[dropped.length - 1]!.rv;
    }
    for (const listener of [...listeners]) listener(event);
    return cloneJson(object);
  };

  return {
    /** The current resourceVersion (as a number). */
    currentRv: (): number => rv,
    /** The oldest resourceVersion a watch may resume from. */
    oldestResumable: (): number => oldestResumable,
    /** True when the object exists (what `get` would say, without copying it). */
    has(key: string, ns: string | undefined, name: string): boolean {
      return data.get(key)?.has(id(ns, name)) ?? false;
    },
    /**
     * The stored object itself, not a copy: for the fake's controllers, which read a few
     * fields or spread it into the object they put (put copies). Callers must not change it.
     */
    peek(key: string, ns: string | undefined, name: string): Readonly<KubeObject> | undefined {
      return data.get(key)?.get(id(ns, name));
    },
    /** A deep copy of one object. */
    get(key: string, ns: string | undefined, name: string): KubeObject | undefined {
      const o = data.get(key)?.get(id(ns, name));
      return o ? cloneJson(o) : undefined;
    },
    /**
     * Deep copies of the objects of one resource, in one namespace or all, and only those
     * `keep` accepts. `keep` sees the stored object (it must not change it) and runs
     * before the copy, so picking a few pods out of thousands copies only those few.
     */
    list(key: string, ns?: string, keep?: (o: KubeObject) => boolean): KubeObject[] {
      const out: KubeObject[] = [];
      for (const o of data.get(key)?.values() ?? []) if ((ns === undefined || o.metadata.namespace === ns) && (!keep || keep(o))) out.push(cloneJson(o));
      return out.sort((a, b) => id(a.metadata.namespace, a.metadata.name!).localeCompare(id(b.metadata.namespace, b.metadata.name!)));
    },
    /**
     * The stored objects themselves, as {@link list} would copy them: for an answer that
     * is serialised at once and never kept (a GET of a list), where copying thousands of
     * objects per request made the fake cost more CPU than the server it serves.
     * Callers must not change them.
     */
    view(key: string, ns: string | undefined, keep: (o: KubeObject) => boolean): readonly KubeObject[] {
      const out: KubeObject[] = [];
      for (const o of data.get(key)?.values() ?? []) if ((ns === undefined || o.metadata.namespace === ns) && keep(o)) out.push(o);
      return out.sort((a, b) => id(a.metadata.namespace, a.metadata.name!).localeCompare(id(b.metadata.namespace, b.metadata.name!)));
    },
    /**
     * One page of {@link list}: deep copies of at most `limit` objects, in list order, whose
     * `namespace/name` sorts after `after`, and how many more follow. Only the page is copied.
     */
    page(key: string, ns: string | undefined, keep: (o: KubeObject) => boolean, after: string, limit: number): { items: KubeObject[]; remaining: number } {
      const order = (o: KubeObject) => id(o.metadata.namespace, o.metadata.name!);
      const all: KubeObject[] = [];
      for (const o of data.get(key)?.values() ?? []) if ((ns === undefined || o.metadata.namespace === ns) && keep(o)) all.push(o);
      all.sort((a, b) => order(a).localeCompare(order(b)));
      const rest = after ? all.filter((o) => order(o).localeCompare(after) > 0) : all;
      return { items: rest.slice(0, limit).map((o) => cloneJson(o)), remaining: Math.max(0, rest.length - limit) };
    },
    /** Every storage key holding objects. */
    keys: (): string[] => [...data.keys()],
    /** Store (create or replace) and emit ADDED/MODIFIED; returns the stored copy with its new resourceVersion. */
    put(key: string, object: KubeObject): KubeObject {
      const b = bucket(key);
      const k = id(object.metadata.namespace, object.metadata.name!);
      const type = b.has(k) ? 'MODIFIED' : 'ADDED';
      const copy = cloneJson(object);
      b.set(k, copy);
      return emit(type, key, copy);
    },
    /** Remove and emit DELETED; returns the removed object or undefined. */
    remove(key: string, ns: string | undefined, name: string): KubeObject | undefined {
      const b = data.get(key);
      const o = b?.get(id(ns, name));
      if (!b || !o) return undefined;
      b.delete(id(ns, name));
      // A copy: `o` is also the object of earlier events, which keep their resourceVersion.
      return emit('DELETED', key, cloneJson(o));
    },
    /** Events after `sinceRv`, or undefined when history no longer reaches back that far. */
    since(sinceRv: number): StoreEvent[] | undefined {
      if (sinceRv < oldestResumable) return undefined;
      return history.filter((e) => e.rv > sinceRv);
    },
    /** Forget the history: resuming from any resourceVersion before now gets 410. */
    compact(): void {
      history.length = 0;
      oldestResumable = rv;
    },
    /** Call `listener` on every change; returns the unsubscribe function. */
    subscribe(listener: (event: StoreEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
