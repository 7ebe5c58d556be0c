/**
 * Answers from the informer caches for adapters that run on every push — the owner
 * reference each staging Job, Deployment and Event carries (the App's uid), and whether
 * an app namespace's copy of a release-namespace Secret is already current — so that a
 * push does not GET its App or its Secrets again and again (issue 12).
 *
 * They are registered per KubeConfig rather than passed down: those adapters take the
 * KubeConfig already, and their call signatures stay as they are. Without a
 * registration (tests of one adapter, a cache not synced yet) every lookup answers
 * "unknown" and the adapter asks the API server, as before.
 */
import type { KubeConfig } from '@kubernetes/client-node';

/** What the caches can tell. `undefined` / false mean "ask the API server". */
export interface CacheLookups {
  /** The uid of App `namespace/app`, when cached. */
  appUid(namespace: string, app: string): string | undefined;
  /** True when `namespace` holds Slipway's copy of `systemNamespace/name` with the source's type and data, as cached. */
  copyIsCurrent(systemNamespace: string, namespace: string, name: string): boolean;
  /** Slipway's Secret `namespace/name` as cached (labels, owners, type, data), when the Secret cache is synced. */
  slipwaySecret(namespace: string, name: string): { metadata?: { labels?: Record<string, string>; ownerReferences?: Array<{ uid?: string }> }; type?: string; data?: Record<string, string> } | undefined;
}

const registered = new WeakMap<KubeConfig, CacheLookups>();

/** Makes `lookups` answer for adapters that use `kc` (merged with what was registered before: the state store and the caches each bring theirs). */
export function registerCacheLookups(kc: KubeConfig, lookups: Partial<CacheLookups>): void {
  const before = registered.get(kc);
  registered.set(kc, {
    appUid: lookups.appUid ?? before?.appUid ?? (() => undefined),
    copyIsCurrent: lookups.copyIsCurrent ?? before?.copyIsCurrent ?? (() => false),
    slipwaySecret: lookups.slipwaySecret ?? before?.slipwaySecret ?? (() => undefined),
  });
}

/** The lookups registered for `kc`, if any. */
export function cacheLookups(kc: KubeConfig): CacheLookups | undefined {
  return registered.get(kc);
}
