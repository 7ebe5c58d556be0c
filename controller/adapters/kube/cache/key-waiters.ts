/**
 * Per-object listeners on a shared cache: a wait for one Job or one Deployment hears
 * that object's events (and every relist) without a watch of its own. ResourceWatch
 * handlers cannot be removed, so each cache gets one handler per event kind that
 * dispatches by `namespace/name` to whoever waits right now.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceWatch } from '../control/watch-resource.ts';

/** Why a waiter is called: its object was added, changed or deleted, or the cache relisted (look again). */
export type KeyChange = 'add' | 'update' | 'delete' | 'resync';

/** The dispatcher of {@link createKeyWaiters}. */
export interface KeyWaiters {
  /** Calls `onChange` on each event of object `namespace/name` and each relist; returns the unsubscribe. */
  subscribe(namespace: string, name: string, onChange: (change: KeyChange) => void): () => void;
}

/** Subscribes once to `watch` and dispatches its events by object. */
export function createKeyWaiters<T extends KubernetesObject>(watch: ResourceWatch<T>): KeyWaiters {
  const waiting = new Map<string, Set<(change: KeyChange) => void>>();
  const keyOf = (obj: T) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
  const dispatch = (key: string, change: KeyChange) => {
    for (const listener of waiting.get(key) ?? []) listener(change);
  };
  watch.on('add', (obj) => dispatch(keyOf(obj), 'add'));
  watch.on('update', (obj) => dispatch(keyOf(obj), 'update'));
  watch.on('delete', (obj) => dispatch(keyOf(obj), 'delete'));
  watch.on('resync', () => {
    for (const listeners of waiting.values()) for (const listener of listeners) listener('resync');
  });
  return {
    subscribe(namespace, name, onChange) {
      const key = `${namespace}/${name}`;
      const listeners = waiting.get(key) ?? new Set();
      waiting.set(key, listeners);
      listeners.add(onChange);
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0 && waiting.get(key) === listeners) waiting.delete(key);
      };
    },
  };
}
