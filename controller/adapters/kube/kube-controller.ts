/**
 * The Kubernetes controller loop. Every replica watches Apps (so its webhook index and
 * reads stay current); the replica holding the Lease also reconciles: each App event
 * that needs work, and each change of a Deployment Slipway made, queues a key that the
 * work queue handles one at a time per key, retrying failures with backoff. A
 * Deployment whose release (its stage-id annotation) is not the one its App records —
 * left half-way by a leader that died mid-rollout, or edited by hand — is queued to be
 * put back (`restore`), compared in the caches, so looking costs no request. What
 * reconciling means is passed in — this file knows watches, keys and leadership, not
 * Slipway's pipeline.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../../core/ports/logger.ts';
import type { App } from '../../../core/types.ts';
import { createWorkQueue } from './control/work-queue.ts';
import { createLeaseElector } from './control/lease-elector.ts';
import type { AppResource } from './state/app-resource.ts';
import { cachedAppView } from './state/cached-app.ts';
import { LABELS } from './labels.ts';
import type { KubeCache } from './cache/kube-cache.ts';

/** What the controller calls; the composition root wires the pipeline in. */
export interface KubeControllerOptions {
  kc: KubeConfig;
  logger: Logger;
  /** The informer caches (shared with the state store); started and stopped with the controller. */
  cache: KubeCache;
  lease: { namespace: string; name: string; identity: string; durationMs: number };
  /** Leader: reconcile App `namespace/name` (throwing retries it with backoff). */
  reconcile(namespace: string, name: string): Promise<void>;
  /** Leader: the app's Deployment changed; record what the runtime reports. */
  refresh(namespace: string, name: string): Promise<void>;
  /**
   * Leader: the app's Deployment runs another release than the one its App records; put
   * the recorded one back unless a run of the app is under way (which explains it).
   */
  restore(namespace: string, name: string): Promise<void>;
  /** Whether an App as cached needs reconciling (a spec not observed yet, a pending run). `app` shares the cache's objects: read it, never change it. */
  wants(app: App): boolean;
  /**
   * Every replica: an App was created or had its spec changed (`app`, as cached — shared
   * with the cache, read-only, so 1,000 Apps at start-up are not 1,000 deep copies), or
   * was deleted (no `app`).
   */
  specChanged(namespace: string, name: string, app?: App): void;
  /** This replica became the leader: recover runs, start polling. Reconciling starts once it resolves. */
  startedLeading(signal: AbortSignal): Promise<void>;
  /** This replica lost the Lease: it must stop acting (the composition root exits the process). */
  stoppedLeading(): void;
  /** Leader: every App is looked at again this often (default 10 min). */
  resyncMs?: number;
  concurrency?: number;
}

/** The running controller. */
export interface KubeController {
  /** Starts watching (resolves after the first list) and campaigning for the Lease. */
  start(): Promise<void>;
  /** Releases the Lease and stops. */
  stop(): Promise<void>;
  isLeader(): boolean;
  /** Apps in the cache. */
  readonly apps: number;
  /** Resolves when no reconcile is queued or running (tests, benchmarks). */
  idle(): Promise<void>;
}

const appKey = (ns: string, name: string) => `app/${ns}/${name}`;

/** Creates the controller; nothing runs before `start()`. */
export function createKubeController(options: KubeControllerOptions): KubeController {
  const { kc, logger } = options;
  const { cache } = options;
  const { apps, deployments } = cache;
  let leading = false;
  let resync: NodeJS.Timeout | undefined;

  const queue = createWorkQueue({
    concurrency: options.concurrency ?? 8,
    logger,
    async handler(key) {
      const [kind, namespace, name] = key.split('/') as [string, string, string];
      if (!leading) return;
      if (kind === 'app') await options.reconcile(namespace, name);
      else if (kind === 'drift') await options.restore(namespace, name);
      else await options.refresh(namespace, name);
    },
  });

  const enqueueApp = (resource: AppResource) => {
    if (!leading) return;
    const { namespace, name } = resource.metadata;
    if (options.wants(cachedAppView(resource))) queue.add(appKey(namespace, name));
  };
  /** Queues a restore when the Deployment (as cached) runs another stage than the App's recorded release. */
  const checkDrift = (deployment: KubernetesObject) => {
    const { namespace } = deployment.metadata ?? {};
    const app = deployment.metadata?.labels?.[LABELS.app];
    const running = deployment.metadata?.annotations?.[LABELS.stageId];
    if (!leading || !namespace || !app || !running) return;
    const cached = apps.get(namespace, app);
    const recorded = cached && cachedAppView(cached).status.release?.stageId;
    if (recorded && recorded !== running) queue.add(`drift/${namespace}/${app}`);
  };
  const enqueueAll = () => {
    for (const resource of apps.list()) enqueueApp(resource);
    for (const deployment of deployments.list()) checkDrift(deployment);
  };

  apps.on('add', (obj) => {
    options.specChanged(obj.metadata.namespace, obj.metadata.name, cachedAppView(obj));
    enqueueApp(obj);
  });
  apps.on('update', (obj, old) => {
    if (obj.metadata.generation !== old.metadata.generation) options.specChanged(obj.metadata.namespace, obj.metadata.name, cachedAppView(obj));
    enqueueApp(obj);
    // A release recorded after its rollout's last Deployment change (reads from the cache
    // are that fast) would leave status.runtime unrecorded: look at the runtime again.
    if (leading && obj.status?.release?.stageId !== old.status?.release?.stageId) queue.add(`runtime/${obj.metadata.namespace}/${obj.metadata.name}`);
  });
  apps.on('delete', (obj) => {
    options.specChanged(obj.metadata.namespace, obj.metadata.name);
    queue.forget(appKey(obj.metadata.namespace, obj.metadata.name));
  });
  const onDeployment = (obj: KubernetesObject) => {
    const app = obj.metadata?.labels?.[LABELS.app];
    if (leading && app && obj.metadata?.namespace) queue.add(`runtime/${obj.metadata.namespace}/${app}`);
    checkDrift(obj);
  };
  deployments.on('add', onDeployment);
  deployments.on('update', onDeployment);

  const elector = createLeaseElector({
    kc, logger, namespace: options.lease.namespace, name: options.lease.name, identity: options.lease.identity,
    leaseDurationMs: options.lease.durationMs,
    renewDeadlineMs: Math.round(options.lease.durationMs * 2 / 3),
    retryPeriodMs: Math.max(200, Math.round(options.lease.durationMs / 7)),
    async onStartedLeading(signal) {
      logger.info({ identity: options.lease.identity }, 'leading: reconciling apps');
      await options.startedLeading(signal);
      if (signal.aborted) return;
      leading = true;
      enqueueAll();
      resync = setInterval(enqueueAll, options.resyncMs ?? 600_000);
      resync.unref();
    },
    onStoppedLeading() {
      const was = leading;
      leading = false;
      clearInterval(resync);
      if (was) options.stoppedLeading();
    },
  });

  return {
    async start() {
      await cache.start();
      elector.start();
    },
    async stop() {
      clearInterval(resync);
      leading = false;
      await elector.stop();
      await queue.shutdown();
      await cache.stop();
    },
    isLeader: () => leading,
    get apps() {
      return apps.list().length;
    },
    idle: () => queue.idle(),
  };
}
