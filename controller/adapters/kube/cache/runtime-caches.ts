/**
 * The caches the Kubernetes runtime reads while it stages and deploys (issue 12): the
 * staging Jobs, Ingresses and Services Slipway made, each one label-selected list +
 * watch over all namespaces, slimmed to what the runtime reads (a Job's metadata and
 * conditions; an Ingress's or Service's metadata), so a thousand apps hold little. With
 * the Deployment cache (kube-cache.ts) they replace the per-push LIST and WATCH of Jobs,
 * the LIST of Ingresses and the rollout's own watches, and let an unchanged Service or
 * Ingress go without an apply (deploy/applied-memo.ts). They start on first use — only the
 * replica that runs pushes (the leader) holds them — and until their first list is in,
 * the runtime asks the API server as before.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../../../core/ports/logger.ts';
import { createResourceWatch, type ResourceWatch } from '../control/watch-resource.ts';
import { LABELS, MANAGED_BY } from '../labels.ts';
import type { CachedDeployment } from './kube-cache.ts';
import { createKeyWaiters, type KeyWaiters } from './key-waiters.ts';

/** A staging Job as cached: metadata (no managedFields) and its conditions, all `jobOutcome` reads. */
export interface CachedJob extends KubernetesObject {
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

/** An Ingress as cached: its metadata (name, labels, resourceVersion), all pruning and the applied memo read. */
export type CachedIngress = KubernetesObject;

/** A Service as cached: its metadata (resourceVersion), all the applied memo reads. */
export type CachedService = KubernetesObject;

/** A cache and the per-object waiters on its events. */
export interface WaitableCache<T extends KubernetesObject> {
  watch: ResourceWatch<T>;
  waiters: KeyWaiters;
}

/** The runtime's caches. */
export interface RuntimeCaches {
  jobs: WaitableCache<CachedJob>;
  ingresses: WaitableCache<CachedIngress>;
  services: ResourceWatch<CachedService>;
  /** Slipway's Deployments: the cache the controller keeps (kube-cache.ts), shared. */
  deployments?: WaitableCache<CachedDeployment>;
  /** Starts the Job and Ingress caches the first time (the Deployment cache is the controller's to start); never waits. */
  use(): void;
  stop(): Promise<void>;
}

/** Options of {@link createRuntimeCaches}. */
export interface RuntimeCachesOptions {
  kc: KubeConfig;
  logger: Logger;
  /** The controller's Deployment cache, to wait for rollouts on. */
  deployments?: ResourceWatch<CachedDeployment>;
  backoff?: { initialMs: number; maxMs: number };
}

/** Only the metadata fields the runtime reads, without managedFields. */
function slimMetadata(metadata: KubernetesObject['metadata']): KubernetesObject['metadata'] {
  if (!metadata) return metadata;
  const { name, namespace, uid, resourceVersion, generation, labels, deletionTimestamp } = metadata;
  return Object.fromEntries(Object.entries({ name, namespace, uid, resourceVersion, generation, labels, deletionTimestamp }).filter(([, v]) => v !== undefined));
}

/** What the Job cache keeps of a Job. */
export function slimJob(job: CachedJob): CachedJob {
  const conditions = job.status?.conditions?.map(({ type, status, reason, message }) => ({ type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) }));
  return { apiVersion: job.apiVersion, kind: job.kind, metadata: slimMetadata(job.metadata), ...(conditions ? { status: { conditions } } : {}) };
}

/** What the Ingress and Service caches keep of an object: its slim metadata. */
export function slimMetadataOnly(ingress: CachedIngress): CachedIngress {
  return { apiVersion: ingress.apiVersion, kind: ingress.kind, metadata: slimMetadata(ingress.metadata) };
}

/** Creates the caches; nothing is listed before `use()`. */
export function createRuntimeCaches({ kc, logger, deployments, backoff }: RuntimeCachesOptions): RuntimeCaches {
  const jobs = createResourceWatch<CachedJob>({
    kc, path: '/apis/batch/v1/jobs', labelSelector: `${LABELS.managedBy}=${MANAGED_BY},${LABELS.component}=stage`, logger: logger.child({ cache: 'jobs' }), backoff, slim: slimJob,
  });
  const ingresses = createResourceWatch<CachedIngress>({
    kc, path: '/apis/networking.k8s.io/v1/ingresses', labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`, logger: logger.child({ cache: 'ingresses' }), backoff, slim: slimMetadataOnly,
  });
  const services = createResourceWatch<CachedService>({
    kc, path: '/api/v1/services', labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`, logger: logger.child({ cache: 'services' }), backoff, slim: slimMetadataOnly,
  });
  let started = false;
  return {
    jobs: { watch: jobs, waiters: createKeyWaiters(jobs) },
    ingresses: { watch: ingresses, waiters: createKeyWaiters(ingresses) },
    services,
    ...(deployments ? { deployments: { watch: deployments, waiters: createKeyWaiters(deployments) } } : {}),
    use() {
      if (started) return;
      started = true;
      // Failures are retried inside the watch; until the first list, readers fall back to the API.
      for (const watch of [jobs, ingresses, services]) void watch.start().catch((error: unknown) => logger.warn({ err: String(error) }, 'a runtime cache did not start'));
    },
    async stop() {
      if (started) await Promise.all([jobs.stop(), ingresses.stop(), services.stop()]);
    },
  };
}
