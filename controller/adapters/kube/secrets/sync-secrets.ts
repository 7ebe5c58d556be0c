/**
 * Secret sync (what Kubed does for Epinio): pods can mount only Secrets of their own
 * namespace, so every namespace that holds Apps keeps a copy of the registry Secret,
 * the S3 Secret and the image pull Secrets of the release namespace. The leader runs
 * it: Apps are watched (a namespace gains its first App → copies appear; loses its
 * last → they go), the sources are watched one by name (a rotated credential reaches
 * every copy), and one key per namespace goes through the work queue, so a namespace
 * is worked on by one handler at a time and a failure retries with backoff. The
 * staging step still copies at stage time (stage/copy-system-secret.ts), so a build
 * never waits for this loop. A user's Secret of the same name is left alone and
 * reported (sync-copy.ts).
 */
import type { KubeConfig, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../../../../core/ports/logger.ts';
import { redact } from '../../../../core/redact.ts';
import { createResourceWatch, type ResourceWatch } from '../control/watch-resource.ts';
import { createWorkQueue } from '../control/work-queue.ts';
import { listAll } from '../control/list-all.ts';
import { COPIED_FROM } from '../runtime/stage/copy-system-secret.ts';
import { APP_GROUP, APP_PLURAL, APP_VERSION, LABELS, MANAGED_BY } from '../labels.ts';
import { dropCopy, putCopy } from './sync-copy.ts';

/** Options of {@link createSecretSync}. */
export interface SecretSyncOptions {
  kc: KubeConfig;
  logger: Logger;
  /** The release namespace, where the sources live (never copied into itself). */
  systemNamespace: string;
  /** Names of the Secrets to copy: registry, S3, image pull Secrets. */
  names: string[];
  /** Every namespace is looked at again this often, and stale copies searched for (default 10 min). */
  resyncMs?: number;
  /** Backoff of the watches (tests shorten it). */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * The App watch to count Apps from, shared with the cache (which starts and stops
   * it), so the controller does not keep a second copy of every App. Without it the
   * sync runs its own.
   */
  apps?: ResourceWatch<KubernetesObject>;
}

/** The running sync. */
export interface SecretSync {
  /** Starts watching; resolves once Apps and sources are listed and the first pass is queued. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when no namespace is queued or being worked on (tests). */
  idle(): Promise<void>;
}

/** Creates the sync; nothing runs before `start()`. */
export function createSecretSync(options: SecretSyncOptions): SecretSync {
  const { kc, systemNamespace } = options;
  const names = [...new Set(options.names)];
  const logger = options.logger.child({ component: 'secret-sync' });
  const shared = options.apps;
  const apps = shared ?? createResourceWatch<KubernetesObject>({ kc, path: `/apis/${APP_GROUP}/${APP_VERSION}/${APP_PLURAL}`, logger, backoff: options.backoff });
  // One watch per source, by name: the release namespace also holds Helm's release
  // Secrets (large), which a watch of every Secret there would cache for nothing.
  const sources = new Map<string, ResourceWatch<V1Secret>>(names.map((name) => [name, createResourceWatch<V1Secret>({
    kc, path: `/api/v1/namespaces/${encodeURIComponent(systemNamespace)}/secrets`, fieldSelector: `metadata.name=${name}`, logger, backoff: options.backoff,
  })]));
  /** Apps per namespace, from the App watch. */
  const appCount = new Map<string, number>();
  /** What was last reported for `namespace/name`, so a standing problem is logged once, not at every pass. */
  const reported = new Map<string, string>();
  let resync: NodeJS.Timeout | undefined;
  let started = false;

  const report = (key: string, what: string, log: () => void) => {
    if (reported.get(key) === what) return;
    reported.set(key, what);
    log();
  };

  const queue = createWorkQueue({
    concurrency: 4,
    logger,
    async handler(namespace) {
      if (namespace === systemNamespace) return;
      const holdsApps = (appCount.get(namespace) ?? 0) > 0;
      for (const name of names) {
        const key = `${namespace}/${name}`;
        if (!holdsApps) {
          const outcome = await dropCopy(kc, systemNamespace, namespace, name);
          if (outcome === 'deleted') logger.info({ namespace, secret: name }, 'namespace holds no Apps any more: removed the copy of the Secret');
          reported.delete(key);
          continue;
        }
        const source = sources.get(name)!.get(systemNamespace, name);
        if (!source) {
          report(key, 'no-source', () => logger.warn({ namespace, secret: name, from: systemNamespace }, `the Secret "${name}" is missing from namespace "${systemNamespace}": nothing to copy into "${namespace}"`));
          continue;
        }
        const outcome = await putCopy(kc, systemNamespace, namespace, source);
        if (outcome === 'foreign') {
          report(key, 'foreign', () => logger.error({ namespace, secret: name }, `namespace "${namespace}" has a Secret "${name}" that Slipway did not create: it is left alone, and builds and pods there use it instead of "${systemNamespace}/${name}"; rename or delete it to let Slipway copy its own`));
          continue;
        }
        reported.delete(key);
        if (outcome !== 'unchanged') logger.info({ namespace, secret: name, outcome }, 'copied the Secret into the app namespace');
      }
    },
  });

  const namespacesWithApps = () => [...appCount].filter(([, n]) => n > 0).map(([ns]) => ns);
  const queueAll = () => { for (const ns of namespacesWithApps()) queue.add(ns); };
  /** Queues namespaces that hold copies but maybe no Apps (they lost them while no leader ran). */
  const sweep = async () => {
    const listed = await listAll<V1Secret>(kc, { path: '/api/v1/secrets', labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`, pageSize: 500 });
    for (const secret of listed.items) {
      const from = secret.metadata?.annotations?.[COPIED_FROM];
      if (from && from.startsWith(`${systemNamespace}/`) && secret.metadata?.namespace) queue.add(secret.metadata.namespace);
    }
  };
  const sweepLogged = () => sweep().catch((error: unknown) => logger.warn({ err: redact(String((error as Error)?.message ?? error)) }, 'could not list the Secret copies to clean up'));

  const countApp = (obj: KubernetesObject, delta: 1 | -1) => {
    const ns = obj.metadata?.namespace;
    if (!ns) return;
    const before = appCount.get(ns) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) appCount.delete(ns); else appCount.set(ns, after);
    // Only the first App arriving and the last leaving change what the namespace needs.
    if (started && (before === 0) !== (after === 0)) queue.add(ns);
  };
  // A shared watch may have listed already: count what it holds, then follow it.
  if (shared?.synced) for (const obj of shared.list()) countApp(obj, 1);
  apps.on('add', (obj) => countApp(obj, 1));
  apps.on('delete', (obj) => countApp(obj, -1));
  for (const watch of sources.values()) {
    watch.on('add', () => { if (started) queueAll(); });
    watch.on('update', () => { if (started) queueAll(); });
  }

  return {
    async start() {
      // start() of the shared watch is the cache's, idempotent: it resolves once listed.
      await Promise.all([apps.start(), ...[...sources.values()].map((w) => w.start())]);
      started = true;
      queueAll();
      await sweepLogged();
      resync = setInterval(() => { queueAll(); void sweepLogged(); }, options.resyncMs ?? 600_000);
      resync.unref();
    },
    async stop() {
      started = false;
      clearInterval(resync);
      await queue.shutdown();
      await Promise.all([...(shared ? [] : [apps.stop()]), ...[...sources.values()].map((w) => w.stop())]);
    },
    idle: () => queue.idle(),
  };
}
