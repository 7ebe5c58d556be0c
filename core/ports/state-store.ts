import type { App, Namespace } from '../types.ts';

/** A change to an application, applied to its latest version. */
export type AppMutation = (app: App) => App | Promise<App>;

/** How a read is answered. */
export interface ReadOptions {
  /**
   * From the source of truth, not a cache that may be a moment behind (Kubernetes' App
   * cache). For decisions that must not act on a stale view: restoring a recorded
   * release, recovering runs after a leader change. Stores without a cache ignore it.
   */
  fresh?: boolean;
}

/**
 * Where namespaces and applications are kept: a file for the embedded default, the
 * `App` custom resource on Kubernetes. Writes are atomic; `updateApp` retries on
 * concurrent changes so callers never lose a write.
 */
export interface StateStore {
  listNamespaces(): Promise<Namespace[]>;
  getNamespace(name: string): Promise<Namespace | undefined>;
  /** Throws `namespace_exists`. */
  createNamespace(name: string): Promise<Namespace>;
  /** Deletes the namespace and its applications; throws `namespace_not_found`. */
  deleteNamespace(name: string): Promise<void>;

  /** Throws `namespace_not_found`. */
  listApps(namespace: string, options?: ReadOptions): Promise<App[]>;
  getApp(namespace: string, name: string, options?: ReadOptions): Promise<App | undefined>;
  /** Stores a new app (metadata.resourceVersion/generation are set by the store). Throws `app_exists`, `namespace_not_found`. */
  createApp(app: Pick<App, 'metadata' | 'spec'> & Partial<Pick<App, 'status'>>): Promise<App>;
  /** Applies `mutate` to the latest version and stores it; throws `app_not_found`. */
  updateApp(namespace: string, name: string, mutate: AppMutation): Promise<App>;
  /** Throws `app_not_found`. */
  deleteApp(namespace: string, name: string): Promise<void>;
  /**
   * Every app, of any namespace, that may serve or claim a route on one of `hosts`
   * (normal form) — a superset the route check narrows down. A store that keeps a
   * route index (Kubernetes: from its App cache) answers without listing; one without
   * leaves it out, and callers list every app instead.
   */
  appsOnHosts?(hosts: string[]): Promise<App[]>;
}
