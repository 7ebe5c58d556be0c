/**
 * The sleep of a wait driven by a cache: a loop looks at the cached object, then naps
 * until the object's key changes (its waiter calls `wake`), a timer runs out, or the
 * signal aborts, and looks again. Changes that come while the loop is not napping are
 * seen by its next look at the cache.
 */

/** The nap of {@link createCacheNap}. */
export interface CacheNap {
  /** Ends the nap under way, if any; give it to the key's waiter. */
  wake(): void;
  /** Resolves after `ms`, on `wake`, or when `signal` aborts, whichever comes first. */
  sleep(ms: number): Promise<void>;
}

/** Creates the nap of one wait. */
export function createCacheNap(signal?: AbortSignal): CacheNap {
  let wake: (() => void) | undefined;
  return {
    wake: () => wake?.(),
    sleep: (ms) => new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      }
      wake = done;
      signal?.addEventListener('abort', done, { once: true });
    }),
  };
}
