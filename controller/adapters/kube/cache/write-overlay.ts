/**
 * Read-your-writes over an informer cache. The watch brings a write back some
 * milliseconds after the API server took it; until then a read from the cache would
 * miss what this process just created, still find what it deleted, and hand out the
 * version before its last write (a status write followed by another would then always
 * conflict once). So each write's answer is held here until the watch delivers that
 * same resourceVersion (or the deletion), and reads prefer it. The watch may also
 * bring a write back before the write's own answer arrives: the versions it delivered
 * lately are remembered, and an answer already seen is not held. An entry the watch
 * never confirms (a relist after 410 can skip a version) lapses after `ttlMs`. Writes
 * are still guarded by resourceVersion: what is held is only ever a better guess than
 * the cache, never trusted over the API server's 409.
 */
/** What the overlay reads of an object. */
export interface Versioned {
  metadata?: { namespace?: string; name?: string; resourceVersion?: string };
}

/** The events the overlay follows (a ResourceWatch has them). */
export interface WatchEvents<T> {
  on(event: 'add' | 'delete', handler: (obj: T) => void): void;
  on(event: 'update', handler: (obj: T, old: T) => void): void;
}

const objectKey = (obj: Versioned) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

/** What the overlay knows of one object: `gone` after a delete; otherwise the object as written. */
export type Held<T> = { gone: true; resourceVersion?: string } | { gone: false; object: T };

/** The overlay. */
export interface WriteOverlay<T extends Versioned> {
  /** What this process last wrote to `namespace/name`, while the cache has not caught up; undefined when the cache is as new. */
  get(namespace: string, name: string): Held<T> | undefined;
  /** Records an answer of the API server to a write (create, replace). */
  hold(object: T): void;
  /** Records a delete of an object (its last known resourceVersion, if any). */
  forget(namespace: string, name: string, resourceVersion?: string): void;
  /** Objects held (not deleted), for listings. */
  held(): T[];
}

/** Versions the watch delivered that are remembered (to tell an answer it already brought back). */
const SEEN_LIMIT = 4096;

/** Follows `watch` to drop each entry once the cache holds it (subscribe before it starts, or any time after). */
export function createWriteOverlay<T extends Versioned>(watch: WatchEvents<T>, { ttlMs = 30_000, now = () => performance.now() } = {}): WriteOverlay<T> {
  const entries = new Map<string, Held<T> & { at: number }>();
  const seen = new Set<string>();

  const caughtUp = (obj: T) => {
    const key = objectKey(obj);
    const rv = obj.metadata?.resourceVersion;
    seen.add(`${key}@${rv}`);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!);
    const entry = entries.get(key);
    if (!entry) return;
    // Our own write came back; or, after a delete, the object changed again (a finalizer
    // ran, or it was made anew): the cache is at least as new as what we hold.
    if (entry.gone ? rv !== entry.resourceVersion : rv === entry.object.metadata?.resourceVersion) entries.delete(key);
  };
  watch.on('add', caughtUp);
  watch.on('update', caughtUp);
  watch.on('delete', (obj) => {
    const key = objectKey(obj);
    if (entries.get(key)?.gone) entries.delete(key);
  });

  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && now() - entry.at > ttlMs) entries.delete(key);
    return entries.get(key);
  };

  return {
    get: (namespace, name) => live(`${namespace}/${name}`),
    hold(object) {
      const key = objectKey(object);
      if (seen.has(`${key}@${object.metadata?.resourceVersion}`)) entries.delete(key); // the cache has it, or newer
      else entries.set(key, { gone: false, object, at: now() });
    },
    forget(namespace, name, resourceVersion) { entries.set(`${namespace}/${name}`, { gone: true, resourceVersion, at: now() }); },
    held: () => [...entries.keys()].flatMap((key) => {
      const entry = live(key);
      return entry && !entry.gone ? [entry.object] : [];
    }),
  };
}
