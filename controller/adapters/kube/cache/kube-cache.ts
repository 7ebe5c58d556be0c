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
import { registerCacheLookups } from './cache-lookups.ts';
import { COPIED_FROM } from '../runtime/stage/copy-system-secret.ts';
import { slimDeployment } from './slim-deployment.ts';
import { keepAppResource } from '../state/cached-app.ts';

/** An App as the watch caches it. */
export type CachedApp = AppResource & KubernetesObject;

/** A namespace as the watch caches it (the fields Slipway reads). */
export interface CachedNamespace extends KubernetesObject {
  status?: { phase?: string };
}

/** A Deployment as the watch caches it: only these fields are kept (slim-deployment.ts). */
export interface CachedDeployment extends KubernetesObject {
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

/** A Secret as the watch caches it. */
export interface CachedSecret extends KubernetesObject {
  type?: string;
  data?: Record<string, string>;
}

/** Options of {@link createKubeCache}. */
export interface KubeCacheOptions {
  kc: KubeConfig;
  logger: Logger;
  /**
   * The release namespace's Secrets that stages copy into app namespaces (registry, S3):
   * each is watched by name, and Slipway's Secrets everywhere by label, so a stage whose
   * copies are current reads and writes no Secret.
   */
  copiedSecrets?: { systemNamespace: string; names: string[] };
  /** Watch backoff (tests shorten it). */
  backoff?: { initialMs: number; maxMs: number };
}

/** The caches. Objects handed out are the cached ones: never mutate them. */
export interface KubeCache {
  apps: ResourceWatch<CachedApp>;
  deployments: ResourceWatch<CachedDeployment>;
  namespaces: ResourceWatch<CachedNamespace>;
  /** Secrets labelled as Slipway's, in every namespace (only with `copiedSecrets`). */
  secrets?: ResourceWatch<CachedSecret>;
  /** Hosts → Apps serving or claiming routes on them, kept from the App cache. */
  routes: RouteIndex;
  /** Starts the three watches; resolves once each has its first list. Idempotent. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once Apps and namespaces are listed: reads may come from the cache. */
  readonly synced: boolean;
}

/** Creates the caches; nothing is listed before `start()`. */
export function createKubeCache({ kc, logger, backoff, copiedSecrets }: KubeCacheOptions): KubeCache {
  // Each App is kept in the shape its readers use, so a listing shares it instead of copying it (state/cached-app.ts).
  const apps = createResourceWatch<CachedApp>({ kc, path: `/apis/${APP_GROUP}/${APP_VERSION}/${APP_PLURAL}`, logger, backoff, slim: keepAppResource });
  const deployments = createResourceWatch<CachedDeployment>({ kc, path: '/apis/apps/v1/deployments', labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`, logger, backoff, slim: slimDeployment });
  const namespaces = createResourceWatch<CachedNamespace>({ kc, path: '/api/v1/namespaces', labelSelector: `${LABELS.namespace}=true`, logger, backoff });
  // Subscribed before start, so the first list's `add`s fill it.
  const routes = createRouteIndex(apps);
  const secrets = copiedSecrets && createResourceWatch<CachedSecret>({ kc, path: '/api/v1/secrets', labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`, logger, backoff });
  // One watch per source, by name: the release namespace also holds Helm's (large) release Secrets.
  const sources = new Map((copiedSecrets ? [...new Set(copiedSecrets.names)] : []).map((name) => [name, createResourceWatch<CachedSecret>({
    kc, path: `/api/v1/namespaces/${encodeURIComponent(copiedSecrets!.systemNamespace)}/secrets`, fieldSelector: `metadata.name=${name}`, logger, backoff,
  })]));
  if (secrets) {
    registerCacheLookups(kc, {
      copyIsCurrent(systemNamespace, namespace, name) {
        const source = sources.get(name);
        if (!source?.synced || !secrets.synced || systemNamespace !== copiedSecrets!.systemNamespace) return false;
        const from = source.get(systemNamespace, name);
        const copy = secrets.get(namespace, name);
        return !!from && !!copy && copy.metadata?.annotations?.[COPIED_FROM] === `${systemNamespace}/${name}`
          && (copy.type ?? 'Opaque') === (from.type ?? 'Opaque') && sameData(copy.data, from.data);
      },
      slipwaySecret: (namespace, name) => (secrets.synced ? secrets.get(namespace, name) : undefined),
    });
  }
  const watches = [apps, deployments, namespaces, ...(secrets ? [secrets] : []), ...sources.values()];
  let started: Promise<void> | undefined;
  return {
    apps, deployments, namespaces, routes, ...(secrets ? { secrets } : {}),
    start() {
      started ??= Promise.all(watches.map((w) => w.start())).then(() => undefined);
      return started;
    },
    async stop() {
      await Promise.all(watches.map((w) => w.stop()));
    },
    get synced() { return apps.synced && namespaces.synced; },
  };
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}
