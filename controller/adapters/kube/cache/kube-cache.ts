/**
 * The informer caches every replica keeps (issue 12): Apps, Slipway's Deployments
 * (label-selected) and Slipway namespaces (label-selected), each one list + watch over
 * all namespaces. The state store reads Apps and namespaces from here instead of the
 * API server, the listing answers from here, and the route index follows the Apps.
 * Until the first lists are in (or when never started, as in tests of the store
 * alone), readers fall back to the API: `synced` says which.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../../../core/ports/logger.ts';
import { createResourceWatch, type ResourceWatch } from '../control/watch-resource.ts';
import { APP_GROUP, APP_PLURAL, APP_VERSION, LABELS, MANAGED_BY } from '../labels.ts';
import type { AppResource } from '../state/app-resource.ts';
import { createRouteIndex, type RouteIndex } from './route-index.ts';

/** An App as the watch caches it. */
export type CachedApp = AppResource & KubernetesObject;

/** A namespace as the watch caches it (the fields Slipway reads). */
export interface CachedNamespace extends KubernetesObject {
  status?: { phase?: string };
}

/** A Deployment as the watch caches it (the fields the listing reads). */
export interface CachedDeployment extends KubernetesObject {
  spec?: { replicas?: number };
  status?: {
    readyReplicas?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

/** Options of {@link createKubeCache}. */
export interface KubeCacheOptions {
  kc: KubeConfig;
  logger: Logger;
  /** Watch backoff (tests shorten it). */
  backoff?: { initialMs: number; maxMs: number };
}

/** The caches. Objects handed out are the cached ones: never mutate them. */
export interface KubeCache {
  apps: ResourceWatch<CachedApp>;
  deployments: ResourceWatch<CachedDeployment>;
  namespaces: ResourceWatch<CachedNamespace>;
  /** Hosts → Apps serving or claiming routes on them, kept from the App cache. */
  routes: RouteIndex;
  /** Starts the three watches; resolves once each has its first list. Idempotent. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once Apps and namespaces are listed: reads may come from the cache. */
  readonly synced: boolean;
}

/** Creates the caches; nothing is listed before `start()`. */
export function createKubeCache({ kc, logger, backoff }: KubeCacheOptions): KubeCache {
  const apps = createResourceWatch<CachedApp>({ kc, path: `/apis/${APP_GROUP}/${APP_VERSION}/${APP_PLURAL}`, logger, backoff });
  const deployments = createResourceWatch<CachedDeployment>({ kc, path: '/apis/apps/v1/deployments', labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`, logger, backoff });
  const namespaces = createResourceWatch<CachedNamespace>({ kc, path: '/api/v1/namespaces', labelSelector: `${LABELS.namespace}=true`, logger, backoff });
  // Subscribed before start, so the first list's `add`s fill it.
  const routes = createRouteIndex(apps);
  let started: Promise<void> | undefined;
  return {
    apps, deployments, namespaces, routes,
    start() {
      started ??= Promise.all([apps.start(), deployments.start(), namespaces.start()]).then(() => undefined);
      return started;
    },
    async stop() {
      await Promise.all([apps.stop(), deployments.stop(), namespaces.stop()]);
    },
    get synced() { return apps.synced && namespaces.synced; },
  };
}
