/**
 * What runs for each app on the local runtime, and the switch from one release to the
 * next: start the new release's instances, wait until they answer, point the routes at
 * them, let requests in flight on the old release finish, then stop the old one. A
 * failed start changes nothing: the old release keeps serving. Each release's output
 * also goes to its log file (app-log-files.ts), from which an app's log is filled again
 * after a server restart.
 */
import { join } from 'node:path';
import type { DeployInput, DeployOutput, LogOptions, LogLine, RuntimeAppStatus } from '../../../core/ports/runtime.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import { deployFailed } from '../../../core/error-cases.ts';
import type { ReleasePlan } from './build/release-plan.ts';
import type { Router, RouteTarget } from './router/create-router.ts';
import { createSupervisor, type Supervisor } from './run/supervisor.ts';
import { createLogChannel, type LogChannel } from './log-channel.ts';
import { createKeyLock } from '../state/key-lock.ts';
import type { ProcessRecords } from './run/process-records.ts';
import type { AppLogFiles, ReleaseLogFile } from './app-log-files.ts';

/** App log lines kept in memory per app. */
const APP_LOG_CAPACITY = 5_000;

interface Current {
  stageId: string;
  routes: string[];
  target: RouteTarget;
  supervisor?: Supervisor;
  instances: number;
  file?: ReleaseLogFile;
}

/** Settings of {@link createDeployments}. */
export interface DeploymentsOptions {
  router: Router;
  logger: Logger;
  readyTimeoutMs: number;
  graceMs: number;
  /** The URL a person opens for a route. */
  urlOf: (route: string) => string;
  /** Marks and records every instance, so the next start after a crash finds the leftovers. */
  records?: Pick<ProcessRecords, 'env' | 'track'>;
  /** Keeps each release's output on disk; without it app logs live in memory only. */
  files?: AppLogFiles;
}

/** Creates the table of running apps. */
export function createDeployments(options: DeploymentsOptions) {
  const { router } = options;
  const current = new Map<string, Current>();
  const logs = new Map<string, Promise<LogChannel>>();
  const withLock = createKeyLock();
  const key = (ns: string, app: string) => `${ns}/${app}`;
  /** The app's log, filled on first use with what its releases wrote to disk before a restart. */
  const logOf = (namespace: string, app: string) => {
    const k = key(namespace, app);
    let channel = logs.get(k);
    if (!channel) {
      channel = (options.files?.readRecent(namespace, app, APP_LOG_CAPACITY) ?? Promise.resolve([]))
        .catch(() => [] as LogLine[])
        .then((initial) => createLogChannel(APP_LOG_CAPACITY, initial));
      logs.set(k, channel);
    }
    return channel;
  };

  async function retire(old: Current | undefined): Promise<void> {
    if (!old) return;
    // Requests that matched the old release finish there; a stuck one cannot hold it forever.
    await router.drain(old.target, { timeoutMs: options.graceMs });
    await old.supervisor?.stop({ graceMs: options.graceMs });
    await old.file?.close();
  }

  return {
    deploy(input: DeployInput & { dir: string; plan: ReleasePlan }): Promise<DeployOutput> {
      const k = key(input.namespace, input.app);
      return withLock(k, async () => {
        const channel = await logOf(input.namespace, input.app);
        const file = options.files?.open(input.namespace, input.app, input.stageId);
        const log = (line: Omit<LogLine, 'time'>) => {
          const full = { time: new Date().toISOString(), ...line };
          channel.push(full);
          file?.write(full);
        };
        let target: RouteTarget;
        let supervisor: Supervisor | undefined;
        if (input.plan.kind === 'static' || !input.plan.command) {
          const fallback = input.plan.fallback;
          target = { kind: 'static', root: join(input.dir, input.plan.staticRoot ?? '.'), ...(fallback === undefined ? {} : { fallback }) };
        } else {
          supervisor = createSupervisor({
            spec: { command: input.plan.command, cwd: input.dir, env: { ...input.plan.env, ...input.env, ...options.records?.env }, instances: Math.max(1, input.instances) },
            track: options.records?.track, label: `app ${k}`,
            log, name: input.stageId.slice(-6), backoff: { initialMs: 500, maxMs: 30_000 },
            readyTimeoutMs: options.readyTimeoutMs, graceMs: options.graceMs,
          });
          log({ stream: 'system', text: `starting release ${input.stageId} (${input.instances} instance${input.instances === 1 ? '' : 's'})` });
          try {
            await supervisor.start();
          } catch (error) {
            log({ stream: 'system', text: `release ${input.stageId} did not start: ${(error as Error).message}` });
            await file?.close();
            throw error instanceof Error && 'code' in error ? error : deployFailed(`release ${input.stageId} did not start: ${(error as Error).message}`);
          }
          const started = supervisor;
          target = { kind: 'proxy', backends: () => started.backends() };
        }
        const old = current.get(k);
        for (const route of input.routes) router.setRoute(route, target, k);
        for (const route of old?.routes ?? []) if (!input.routes.includes(route)) router.removeRoute(route, k);
        current.set(k, { stageId: input.stageId, routes: input.routes, target, supervisor, instances: input.instances, file });
        log({ stream: 'system', text: `release ${input.stageId} serves ${input.routes.join(', ')}` });
        await retire(old);
        return { routes: input.routes, urls: input.routes.map(options.urlOf) };
      });
    },

    status(namespace: string, app: string): RuntimeAppStatus {
      const found = current.get(key(namespace, app));
      if (!found) return { phase: 'absent', desired: 0, ready: 0, restarts: 0 };
      if (!found.supervisor) return { phase: 'running', desired: found.instances, ready: found.instances, restarts: 0, stageId: found.stageId };
      return { ...found.supervisor.status(), stageId: found.stageId };
    },

    async *logs(namespace: string, app: string, logOptions: LogOptions): AsyncIterable<LogLine> {
      yield* (await logOf(namespace, app)).read(logOptions);
    },

    async restart(namespace: string, app: string): Promise<void> {
      await current.get(key(namespace, app))?.supervisor?.restart();
    },

    remove(namespace: string, app: string): Promise<void> {
      const k = key(namespace, app);
      return withLock(k, async () => {
        const found = current.get(k);
        current.delete(k);
        for (const route of found?.routes ?? []) router.removeRoute(route, k);
        await found?.supervisor?.stop({ graceMs: options.graceMs });
        await found?.file?.close();
        (await logs.get(k))?.end();
        logs.delete(k);
        await options.files?.remove(namespace, app);
      });
    },

    /** Server shutdown: stop every app (they are started again from their release at the next start). */
    async stopAll(): Promise<void> {
      await Promise.all([...current.values()].map(async (c) => {
        await c.supervisor?.stop({ graceMs: options.graceMs });
        await c.file?.close();
      }));
      current.clear();
    },
  };
}
