/**
 * Part of the composition root (with main.ts): what `SLIPWAY_RUNTIME=kubernetes` adds.
 * Builds the KubeConfig (in-cluster, or `KUBECONFIG`), the App-backed state store,
 * Secret-backed webhook secrets, the Jobs/Deployments runtime, and the controller loop
 * with its Lease. client-node is loaded only here, so the embedded default never pays
 * for it.
 */
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../core/config.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Logger } from '../core/ports/logger.ts';
import type { StateStore } from '../core/ports/state-store.ts';
import type { SecretStore } from '../core/ports/secret-store.ts';
import type { GitKeyStore } from '../core/ports/git-keys.ts';
import type { Runtime } from '../core/ports/runtime.ts';
import { SlipwayError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import type { PipelineDeps } from './pipeline/pipeline-deps.ts';
import type { Runner, RunObserver } from './pipeline/create-runner.ts';
import type { ServerInfo } from './api/api-deps.ts';
import type { Watcher } from './watch/create-watcher.ts';
import { needsReconcile, reconcileApp } from './pipeline/reconcile-app.ts';
import { refreshRuntime } from './pipeline/refresh-runtime.ts';
import type { KubeController } from './adapters/kube/kube-controller.ts';
import type { KubeCache } from './adapters/kube/cache/kube-cache.ts';
import type { DerivedSystemDomain } from './adapters/kube/domain/derived-system-domain.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { allowPlainHttp } from './adapters/kube/allow-plain-http.ts';

/** The Kubernetes adapters the server is built from. */
export interface KubernetesParts {
  kc: KubeConfig;
  store: StateStore;
  secrets: SecretStore;
  /** Deploy keys and trusted SSH host keys: the Secret `slipway-git-keys` in the release namespace. */
  gitKeys: GitKeyStore;
  runtime: Runtime;
  /** Records Events on the App for what its runs do (a run observer). */
  events: RunObserver;
  /** Without SLIPWAY_SYSTEM_DOMAIN: the domain derived from the ingress controller's Service. */
  systemDomain?: DerivedSystemDomain;
  /** The informer caches the store reads from; the controller starts them. */
  cache: KubeCache;
  /** Ends the watches the parts run. */
  close(): Promise<void>;
}

/** Loads the cluster configuration: in the cluster its service account, else `KUBECONFIG` or ~/.kube/config. */
async function loadKubeConfig(): Promise<KubeConfig> {
  const { loadKubeConfigClass } = await import('./adapters/kube/slim-kube-config.ts');
  const KubeConfig = await loadKubeConfigClass();
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (error) {
    throw new SlipwayError('invalid_config', `SLIPWAY_RUNTIME=kubernetes could not load a Kubernetes configuration (in-cluster, KUBECONFIG or ~/.kube/config): ${redact(String((error as Error).message))}`, { status: 500, expose: true });
  }
  if (!kc.getCurrentCluster()) {
    throw new SlipwayError('invalid_config', 'SLIPWAY_RUNTIME=kubernetes found no cluster: run in a pod with a service account, or set KUBECONFIG', { status: 500, expose: true });
  }
  return kc;
}

/** Builds the state store, secret store and runtime over the cluster. */
export async function createKubernetesParts(config: Config, deps: { clock: Clock; logger: Logger; kubeConfig?: KubeConfig }): Promise<KubernetesParts> {
  if (config.blobStore.kind !== 's3') {
    throw new SlipwayError('invalid_config', 'SLIPWAY_RUNTIME=kubernetes needs an S3 blob store (set SLIPWAY_S3_BUCKET): staging Jobs fetch sources from it', { status: 500, expose: true });
  }
  // Before any adapter loads client-node: its KubeConfig then comes without the model catalogue (docs/adr/0005-slim-kubernetes-client.md).
  const { registerSlimKubeConfig } = await import('./adapters/kube/slim-kube-config.ts');
  registerSlimKubeConfig();
  const [{ createKubeStateStore }, { createKubeSecretStore }, { createKubeRuntime }, { shareConnections }, { createAppEvents }, { checkPrerequisites, requiredSecrets }, { createKubeGitKeyStore }] = await Promise.all([
    import('./adapters/kube/state/kube-state-store.ts'), import('./adapters/kube/state/kube-secret-store.ts'), import('./adapters/kube/runtime/create-kube-runtime.ts'),
    import('./adapters/kube/share-connections.ts'), import('./adapters/kube/events/app-events.ts'), import('./adapters/kube/startup/check-prerequisites.ts'),
    import('./adapters/kube/state/kube-git-key-store.ts'),
  ]);
  const { createKubeCache } = await import('./adapters/kube/cache/kube-cache.ts');
  const given = deps.kubeConfig ?? await loadKubeConfig();
  for (const server of allowPlainHttp(given)) deps.logger.info({ server: redact(server) }, 'the Kubernetes API is reached over plain HTTP (kubectl proxy?): no TLS to verify');
  const kc = shareConnections(given);
  const k = config.kubernetes;
  await checkPrerequisites(kc, { namespace: k.namespace, secrets: requiredSecrets(k) });
  const { bucket, endpoint, region, forcePathStyle } = config.blobStore;
  const cache = createKubeCache({
    kc, logger: deps.logger.child({ component: 'kube-cache' }),
    copiedSecrets: { systemNamespace: k.namespace, names: [k.registrySecret, k.s3Secret] },
  });
  const { createRuntimeCaches } = await import('./adapters/kube/cache/runtime-caches.ts');
  // Jobs, Ingresses and rollouts are read from caches (issue 12); the Job and Ingress caches start with the first push.
  const caches = createRuntimeCaches({ kc, logger: deps.logger.child({ component: 'kube-cache' }), deployments: cache.deployments });
  const runtime = createKubeRuntime({
    kc, logger: deps.logger.child({ component: 'kube-runtime' }), caches,
    settings: {
      systemNamespace: k.namespace, image: k.image, registry: k.registry, registryPull: k.registryPull, registryInsecure: k.registryInsecure,
      registrySecret: k.registrySecret, imagePullSecrets: k.imagePullSecrets, builderUsers: k.builderUsers, s3Secret: k.s3Secret,
      builderImage: k.builderImage, stage: k.stage, pendingGraceMs: k.pendingGraceMs, buildTimeoutMs: config.timeouts.buildMs, blob: { bucket, endpoint, region, forcePathStyle },
      limits: { unpackedBytes: config.limits.unpackedBytes, archiveEntries: config.limits.archiveEntries },
      ingressClass: k.ingressClass, tlsIssuer: k.tlsIssuer, rolloutTimeoutMs: k.rolloutTimeoutMs,
    },
  });
  const systemDomain = k.systemDomainSet ? undefined : await deriveSystemDomain(config, kc, deps.logger);
  const { deploymentStatus } = await import('./adapters/kube/cache/deployment-status.ts');
  // Listings read Deployments from the cache once it has them (issue 12), the single-app show reads them live.
  runtime.cachedStatus = (namespace, app) => (cache.deployments.synced ? deploymentStatus(cache.deployments.get(namespace, app)) : undefined);
  const events = createAppEvents({ kc, logger: deps.logger.child({ component: 'kube-events' }), instance: k.identity ?? `${hostname()}-${process.pid}`, now: () => deps.clock.now() });
  return {
    kc, cache, store: createKubeStateStore({ kc, clock: deps.clock, logger: deps.logger.child({ component: 'kube-state' }), cache }), secrets: createKubeSecretStore({ kc }), runtime,
    gitKeys: createKubeGitKeyStore({ kc, namespace: k.namespace, clock: deps.clock, logger: deps.logger.child({ component: 'git-keys' }) }),
    events: (namespace, app, run) => events.observeRun(namespace, app, run),
    systemDomain,
    close: async () => { await Promise.all([systemDomain?.stop(), caches.stop()]); },
  };
}

/** What `GET /api/v1/info` adds on Kubernetes: the derived system domain, and whether a controller holds the Lease. */
export async function kubernetesInfo(config: Config, parts: KubernetesParts, clock: Clock): Promise<Partial<ServerInfo>> {
  const { readLeaseStatus } = await import('./adapters/kube/control/lease-status.ts');
  const { namespace, lease } = config.kubernetes;
  // An unreadable Lease claims nothing: the info must not tell a user to wait for a controller that may be fine.
  const controller = await readLeaseStatus(parts.kc, namespace, lease.name, clock.now()).catch(() => undefined);
  const domain = parts.systemDomain;
  const problem = domain?.problem();
  return { ...(controller ? { controller } : {}), ...(domain ? { systemDomain: domain.current() ?? '' } : {}), ...(problem ? { systemDomainProblem: problem } : {}) };
}

/** How long the start waits for the ingress Service to be read before serving without a domain (RBAC or an API outage). */
const DOMAIN_WAIT_MS = 5_000;

/** Starts following the ingress controller's Service for the system domain. */
async function deriveSystemDomain(config: Config, kc: KubeConfig, logger: Logger): Promise<DerivedSystemDomain> {
  const { createDerivedSystemDomain } = await import('./adapters/kube/domain/derived-system-domain.ts');
  const { ingressService, wildcardDns } = config.kubernetes;
  const domain = createDerivedSystemDomain({ kc, logger, service: ingressService, wildcardDns });
  const started = domain.start();
  started.catch(() => undefined);
  await Promise.race([started, sleep(DOMAIN_WAIT_MS, undefined, { ref: false })]);
  return domain;
}

/** What the controller drives. */
export interface ControllerWiring {
  pipeline: PipelineDeps;
  runner: Runner;
  watcher?: Watcher;
  /** Called when this replica loses the Lease; the default exits so Kubernetes restarts it clean. */
  lostLeadership: () => void;
}

/** Builds the controller loop over the cluster: every replica watches, the Lease holder reconciles. */
export async function createKubernetesController(config: Config, parts: KubernetesParts, logger: Logger, wiring: ControllerWiring): Promise<KubeController> {
  const [{ createKubeController }, { createSecretSync }] = await Promise.all([
    import('./adapters/kube/kube-controller.ts'), import('./adapters/kube/secrets/sync-secrets.ts'),
  ]);
  const { pipeline, runner, watcher } = wiring;
  const log = logger.child({ component: 'kube-controller' });
  const k = config.kubernetes;
  // Leader only, like reconciling: copies of the release namespace's Secrets in every namespace holding Apps.
  const secretSync = createSecretSync({ kc: parts.kc, logger, systemNamespace: k.namespace, names: [k.registrySecret, k.s3Secret, ...k.imagePullSecrets], apps: parts.cache.apps });
  const controller = createKubeController({
    kc: parts.kc, logger: log, cache: parts.cache,
    lease: { namespace: config.kubernetes.namespace, name: config.kubernetes.lease.name, identity: config.kubernetes.identity ?? `${hostname()}-${process.pid}`, durationMs: config.kubernetes.lease.durationMs },
    reconcile: async (namespace, name) => {
      const outcome = await reconcileApp(pipeline, runner, namespace, name);
      if (outcome.started || outcome.adopted) log.info({ namespace, app: name, ...outcome }, 'reconciled');
    },
    refresh: async (namespace, name) => {
      await refreshRuntime(pipeline, namespace, name);
    },
    restore: async (namespace, name) => {
      if (await runner.restoreIfIdle(namespace, name)) log.warn({ namespace, app: name }, 'the Deployment ran another release than the App records: deploying the recorded release again');
    },
    wants: needsReconcile,
    specChanged: (namespace, name, app) => {
      watcher?.refresh(namespace, name, app).catch((error) => log.warn({ namespace, app: name, err: redact(String(error)) }, 'could not refresh the watch index'));
    },
    startedLeading: async () => {
      const interrupted = await runner.recover();
      if (interrupted) log.warn({ interrupted }, 'runs interrupted by the previous leader were marked failed');
      await watcher?.setPolling(true);
      // Not awaited: a sync that cannot list (RBAC, say) retries on its own and must not hold up reconciling.
      void secretSync.start().catch((error: unknown) => log.error({ err: redact(String((error as Error)?.message ?? error)) }, 'the Secret sync could not start'));
    },
    stoppedLeading: () => {
      void watcher?.setPolling(false);
      void secretSync.stop();
      wiring.lostLeadership();
    },
  });
  return {
    start: () => controller.start(),
    async stop() {
      await controller.stop();
      await secretSync.stop();
    },
    isLeader: () => controller.isLeader(),
    get apps() { return controller.apps; },
    idle: async () => { await controller.idle(); await secretSync.idle(); },
  };
}
