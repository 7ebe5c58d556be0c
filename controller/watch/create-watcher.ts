/**
 * Repository watching: polls each watched app's branch at its interval and checks it
 * at once when a webhook hints that it moved. A check lists the remote's refs (never a
 * clone) and starts a deployment of the branch head only when that head is neither the
 * serving revision nor one already on its way, so a webhook is a hint, never the truth:
 * duplicated, replayed or out-of-order deliveries always end in the head, once.
 */
import { SlipwayError, isSlipwayError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { GitSource } from '../../core/ports/git-source.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { StateStore } from '../../core/ports/state-store.ts';
import { normaliseRepoUrl, type PreviewHint, type RefreshHint } from '../../core/repo-url.ts';
import type { PreviewRequest } from '../pipeline/previews/check-preview.ts';
import type { PlannedCheck } from '../pipeline/previews/plan-preview-poll.ts';
import { redact } from '../../core/redact.ts';
import type { Runner } from '../pipeline/create-runner.ts';
import { createCheckQueue, type CheckReason } from './check-queue.ts';
import { decideDeploy } from './decide-deploy.ts';
import { nextCheckDelay } from './next-check-delay.ts';
import { MIN_INTERVAL_MS } from './parse-interval.ts';
import type { App } from '../../core/types.ts';
import { createWatchIndex, watchTarget } from './watch-index.ts';
import { readWatchStatus, writeWatchStatus, type WatchStatus } from './watch-status.ts';

/** What the watcher needs. */
export interface WatcherDeps {
  store: StateStore;
  git: GitSource;
  runner: Pick<Runner, 'start'>;
  clock: Clock;
  logger: Logger;
  /** Checks running at once (default 8), so a thousand apps never starve the API. */
  concurrency?: number;
  /** Apps waiting for a check beyond which hints are refused (default 10,000). */
  maxQueued?: number;
  /** Shortest poll interval honoured (default 10 s; tests lower it). */
  minIntervalMs?: number;
  /** [0, 1) for jitter (default Math.random). */
  random?: () => number;
  /**
   * A webhook hint waits this long for more pushes to the same app before its check
   * (default 1 s; 0 checks at once), and never longer than `hintMaxWaitMs` (default
   * 5 s) after the first: a burst of pushes becomes one check of the newest head.
   */
  hintDebounceMs?: number;
  hintMaxWaitMs?: number;
  /** Told about every check and what came of it (metrics). */
  onCheck?: (reason: CheckReason, result: 'unchanged' | 'deploying' | 'failed') => void;
  /**
   * Pull request preview apps (issue 15, controller/pipeline/previews): a check of one
   * pull request, queued under its own key `namespace/app/pr/N` so it coalesces like a
   * push; and the poll's listing of pull request refs.
   */
  previews?: {
    check(namespace: string, parent: string, number: number, request: PreviewRequest, due: (app: App, head: string) => boolean): Promise<string>;
    plan(app: App): Promise<PlannedCheck[]>;
  };
}

/**
 * How stale `status.watch.lastCheck` may grow while nothing else changes. Writing it on
 * every check cost one state write per check: 167 a second for 10,000 apps polled
 * every minute (file writes, or status PATCHes to the API server on Kubernetes).
 */
export const STATUS_REFRESH_MS = 15 * 60_000;

/** Whether a check's outcome must be persisted: anything but the times changed, or the stored times are old. */
function worthWriting(stored: WatchStatus | undefined, status: WatchStatus, now: number): boolean {
  if (!stored) return true;
  if (stored.head !== status.head || stored.failures !== status.failures) return true;
  if (stored.error?.code !== status.error?.code || stored.error?.message !== status.error?.message) return true;
  return !(now - Date.parse(stored.lastCheck) < STATUS_REFRESH_MS);
}

/** Creates the watcher; call `start()` to poll and `stop()` to stop. */
export function createWatcher(deps: WatcherDeps) {
  const random = deps.random ?? Math.random;
  const minIntervalMs = deps.minIntervalMs ?? MIN_INTERVAL_MS;
  const index = createWatchIndex();
  const last = new Map<string, WatchStatus>();
  const nowMs = () => deps.clock.now().getTime();
  let ticker: NodeJS.Timeout | undefined;

  /** What the latest hint or poll asked of each queued preview key; taken when its check starts. */
  const previewRequests = new Map<string, PreviewRequest>();

  async function previewWork(key: string, namespace: string, parent: string, number: number, reason: CheckReason): Promise<void> {
    const request = previewRequests.get(key) ?? { action: 'open', source: 'poll' };
    previewRequests.delete(key);
    try {
      const outcome = await deps.previews!.check(namespace, parent, number, request, (app, head) => decideDeploy(app, head, reason));
      deps.logger.debug({ namespace, app: parent, number, reason, outcome }, 'preview checked');
    } catch (error) {
      deps.logger.warn({ namespace, app: parent, number, reason, err: redact(String(error)) }, 'preview check failed');
    }
  }

  /** Queues a check of pull request `number` of the app `parentKey`; a webhook's request is not replaced by a poll's. */
  function queuePreview(parentKey: string, number: number, request: PreviewRequest): boolean {
    const key = `${parentKey}/pr/${number}`;
    const earlier = previewRequests.get(key);
    if (!(earlier?.source === 'webhook' && request.source === 'poll')) previewRequests.set(key, request);
    return request.source === 'webhook' ? debounce(key) : queue.add(key, 'poll') !== undefined;
  }

  async function work(key: string, reason: CheckReason): Promise<void> {
    const parts = key.split('/');
    if (parts.length === 4 && deps.previews) return previewWork(key, parts[0]!, parts[1]!, Number(parts[3]), reason);
    const [namespace, name] = parts as [string, string];
    const app = await deps.store.getApp(namespace, name);
    const target = app && watchTarget(app, minIntervalMs);
    if (!app || !target) {
      index.remove(key);
      return;
    }
    let entry = index.get(key);
    if (!entry || entry.url !== target.url || (entry.branch !== target.branch && target.branch !== '') || entry.intervalMs !== target.intervalMs) {
      entry = { namespace, name, ...target, nextAt: Infinity, failures: entry?.failures ?? readWatchStatus(app)?.failures ?? 0 };
      index.set(entry);
    }
    const status: WatchStatus = { lastCheck: '', failures: 0 };
    try {
      const resolved = await deps.git.resolve(target.url, target.branch);
      status.head = resolved.sha;
      if (resolved.ref && !resolved.ref.startsWith('refs/heads/')) {
        throw new SlipwayError('watch_not_a_branch', `"${target.branch}" is ${resolved.ref}, not a branch; only branches can be watched`, { status: 400 });
      }
      if (entry.branch === '' && resolved.branch) entry.branch = resolved.branch;
      // Re-read only when a deployment looks due: the ref listing may have taken long.
      const due = decideDeploy(app, resolved.sha, reason) && decideDeploy((await deps.store.getApp(namespace, name)) ?? app, resolved.sha, reason);
      if (due) {
        const run = await deps.runner.start(namespace, name, { kind: 'deploy', revision: resolved.sha });
        deps.logger.info({ namespace, app: name, reason, revision: resolved.sha, run: run.id }, 'watched branch moved; deploying its head');
      }
      deps.onCheck?.(reason, due ? 'deploying' : 'unchanged');
      entry.failures = 0;
      if (deps.previews) {
        // A failed listing of pull requests is the previews' problem, not the branch's: logged, not counted.
        await deps.previews.plan(app).then(
          (checks) => { for (const check of checks) queuePreview(key, check.number, check.request); },
          (error) => deps.logger.warn({ namespace, app: name, err: redact(String(error)) }, 'listing pull requests for previews failed'));
      }
    } catch (error) {
      entry.failures += 1;
      status.error = isSlipwayError(error) && error.expose
        ? { code: error.code, message: redact(error.message) }
        : { code: isSlipwayError(error) ? error.code : 'internal', message: 'the check failed; the server log has the details' };
      deps.logger.warn({ namespace, app: name, reason, failures: entry.failures, err: redact(String(error)) }, 'watch check failed');
      deps.onCheck?.(reason, 'failed');
    }
    status.failures = entry.failures;
    const now = nowMs();
    status.lastCheck = new Date(now).toISOString();
    if (index.get(key) === entry) {
      entry.nextAt = now + nextCheckDelay(entry.intervalMs, entry.failures, random);
      if (ticker) status.nextCheck = new Date(entry.nextAt).toISOString();
    }
    last.set(key, status);
    if (reason === 'manual' || worthWriting(readWatchStatus(app), status, now)) await writeWatchStatus(deps.store, namespace, name, status);
  }

  const maxQueued = deps.maxQueued ?? 10_000;
  const queue = createCheckQueue({
    concurrency: deps.concurrency ?? 8,
    maxQueued,
    work,
    onError: (key, error) => deps.logger.error({ app: key, err: redact(String(error)) }, 'watch check crashed'),
  });

  const debounceMs = deps.hintDebounceMs ?? 1_000;
  const maxWaitMs = deps.hintMaxWaitMs ?? 5_000;
  const pending = new Map<string, { timer: NodeJS.Timeout; firstAt: number }>();
  const pendingDone: (() => void)[] = [];

  /** Queues the check of a hinted app once its burst of pushes is over (see `hintDebounceMs`). */
  function debounce(key: string): boolean {
    if (debounceMs <= 0) return queue.add(key, 'webhook') !== undefined;
    const now = nowMs();
    const earlier = pending.get(key);
    if (!earlier && pending.size >= maxQueued) return false;
    if (earlier) clearTimeout(earlier.timer);
    const firstAt = earlier?.firstAt ?? now;
    const timer = setTimeout(() => {
      pending.delete(key);
      if (queue.add(key, 'webhook') === undefined) deps.logger.warn({ app: key }, 'watch queue full: a webhook check was dropped; polling will catch up');
      if (pending.size === 0) for (const done of pendingDone.splice(0)) done();
    }, Math.max(0, Math.min(debounceMs, firstAt + maxWaitMs - now)));
    timer.unref();
    pending.set(key, { timer, firstAt });
    return true;
  }

  function tick(): void {
    const now = nowMs();
    for (const entry of index.values()) {
      if (entry.nextAt > now) continue;
      const key = `${entry.namespace}/${entry.name}`;
      // Infinity until the check reschedules it; a full queue tries again in a second.
      entry.nextAt = Infinity;
      if (!queue.add(key, 'poll')) entry.nextAt = now + 1_000;
    }
  }

  async function setPolling(on: boolean): Promise<void> {
    if (on === (ticker !== undefined)) return;
    clearInterval(ticker);
    ticker = undefined;
    // One timer at second resolution scanning the index beats a timer per app. Not a
    // cron job: cron syntax cannot say "every 45 s", and the `cron` package writes
    // "Missed execution deadline" to the console, outside the JSON log, whenever the
    // event loop is late (issue 13).
    if (on) ticker = setInterval(tick, 1_000).unref();
  }

  return {
    /** Apps with a check waiting or running (metrics). */
    queuedChecks: () => queue.size(),

    /**
     * A verified webhook delivery: queues a check of every watched app following that
     * repository's branch and answers at once; 'full' when the queue is over its bound.
     */
    hint(hint: RefreshHint): { matched: number } | 'full' {
      const repos = hint.repositoryUrls.map(normaliseRepoUrl).filter((r): r is string => r !== undefined);
      const keys = index.match(repos, hint.branch);
      for (const key of keys) {
        if (!debounce(key)) return 'full';
      }
      return { matched: keys.length };
    },

    /**
     * A verified pull request delivery (preview apps): queues a check of that pull
     * request for every watched app of the repository; the check ignores apps without
     * previews. 'full' when the queue is over its bound.
     */
    hintPreview(hint: PreviewHint): { matched: number } | 'full' {
      if (!deps.previews) return { matched: 0 };
      const repos = hint.repositoryUrls.map(normaliseRepoUrl).filter((r): r is string => r !== undefined);
      const keys = index.ofRepos(repos);
      const request: PreviewRequest = {
        action: hint.action, source: 'webhook', fork: hint.fork, style: hint.provider === 'gitlab' ? 'merge-requests' : 'pull',
        ...(hint.updatedAt ? { updatedAt: hint.updatedAt } : {}),
      };
      for (const key of keys) {
        if (!queuePreview(key, hint.number, request)) return 'full';
      }
      return { matched: keys.length };
    },

    /** Checks one app now; resolves with what the check recorded (undefined: not watched). */
    async check(namespace: string, app: string, reason: CheckReason = 'manual'): Promise<WatchStatus | undefined> {
      const key = `${namespace}/${app}`;
      const done = queue.add(key, reason);
      if (!done) throw new SlipwayError('watch_queue_full', 'too many watch checks are waiting; try again shortly', { status: 503, retry: 'waiting' });
      last.delete(key);
      await done;
      return last.get(key);
    },

    /**
     * Re-reads one app after it was created, changed or deleted; `current` is the app as
     * a caller already holds it (the Kubernetes controller's cache), which spares a read.
     */
    async refresh(namespace: string, app: string, current?: App): Promise<void> {
      const key = `${namespace}/${app}`;
      const found = current ?? await deps.store.getApp(namespace, app);
      const target = found && watchTarget(found, minIntervalMs);
      const entry = index.get(key);
      if (!target) {
        index.remove(key);
        return;
      }
      if (entry && entry.url === target.url && entry.intervalMs === target.intervalMs && (entry.branch === target.branch || target.branch === '')) return;
      index.set({ namespace, name: app, ...target, failures: 0, nextAt: nowMs() + nextCheckDelay(target.intervalMs, 0, random) });
    },

    /**
     * Builds the index from the store and starts polling (unless `poll` is false: a
     * Kubernetes replica that is not the leader answers webhooks but does not poll);
     * each app's first poll falls somewhere in its first interval.
     */
    async start(options: { poll?: boolean } = {}): Promise<void> {
      index.clear();
      const now = nowMs();
      for (const ns of await deps.store.listNamespaces()) {
        for (const app of await deps.store.listApps(ns.name)) {
          const target = watchTarget(app, minIntervalMs);
          if (!target) continue;
          const failures = readWatchStatus(app)?.failures ?? 0;
          index.set({ namespace: ns.name, name: app.metadata.name, ...target, failures, nextAt: now + Math.round(random() * target.intervalMs) });
        }
      }
      await setPolling(options.poll ?? true);
      deps.logger.info({ apps: index.size, polling: ticker !== undefined }, 'repository watching started');
    },

    /** Starts or stops polling (the Kubernetes leader polls; other replicas do not). */
    setPolling,

    /** Stops polling; checks already queued finish. */
    async stop(): Promise<void> {
      for (const { timer } of pending.values()) clearTimeout(timer);
      pending.clear();
      for (const done of pendingDone.splice(0)) done();
      clearInterval(ticker);
      ticker = undefined;
    },

    /** Resolves when no check is queued or running (tests, shutdown). */
    async idle(): Promise<void> {
      if (pending.size) await new Promise<void>((resolve) => pendingDone.push(resolve));
      await queue.idle();
    },

    /** The apps watching any branch of these repositories (for their webhook secrets). */
    appsWatching(repositoryUrls: string[]): { namespace: string; name: string }[] {
      const repos = repositoryUrls.map(normaliseRepoUrl).filter((r): r is string => r !== undefined);
      return index.ofRepos(repos).map((key) => {
        const [namespace, name] = key.split('/') as [string, string];
        return { namespace, name };
      });
    },

    /** How many apps are watched. */
    get watched(): number {
      return index.size;
    },
  };
}

/** The watcher's type. */
export type Watcher = ReturnType<typeof createWatcher>;
