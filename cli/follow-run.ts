/**
 * Follows a deployment or rollback run until it ends: polls `GET …/deployments/:id`,
 * notes each phase change on stderr, and while the run stages streams the build output
 * (`staging/:stageId/logs?follow=true`) to stderr. A stage that ended before the
 * first poll saw it (a fast build, a slow CLI) has its output shown after the fact, so
 * the user never misses what the build printed. Used by `push` and `app rollback`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Run } from '../core/types.ts';
import type { ApiClient } from './api-client.ts';
import { CliError, toCliError } from './cli-error.ts';
import type { Output } from './output.ts';
import { formatDuration } from './duration.ts';
import { buildLogText, phaseText } from './render-text.ts';

/** Default `--timeout` of push and rollback. */
export const DEFAULT_DEPLOY_TIMEOUT_MS = 10 * 60_000;
/** How often the run is polled (the contract suggests ~200 ms). */
export const POLL_MS = 200;
/** How often a run still `pending` makes us ask whether any controller holds the Lease. */
export const CONTROLLER_CHECK_MS = 3_000;
/** How long the build output may lag behind the phase change before it is cut off. */
const LOG_GRACE_MS = 5_000;

/** Which run to follow, and how. */
export interface FollowRunOptions {
  namespace: string;
  app: string;
  runId: string;
  /** Overall deadline; the run goes on on the server when it passes. */
  timeoutMs: number;
  /** Stream the build output to stderr (human mode only). */
  showLogs: boolean;
  pollMs?: number;
  /** While the run is `pending`, how often to ask the server whether a controller reconciles (default {@link CONTROLLER_CHECK_MS}). */
  controllerCheckMs?: number;
  /** Ctrl-C: stop following (the run goes on on the server). */
  signal?: AbortSignal;
}

/** What following needs. */
export interface FollowRunDeps {
  api: ApiClient;
  output: Output;
}

const FINAL = new Set(['succeeded', 'failed']);

/** The error for a failed run: its message and code, and where to look next. */
export function runFailure(run: Run, app: string, sawBuildOutput: boolean): CliError {
  const code = run.error?.code ?? 'deploy_failed';
  const hint = code === 'stage_failed'
    ? (sawBuildOutput ? 'see the build output above' : `see the build output with \`slipway app logs ${app} --staging\``)
    : `see the app's output with \`slipway app logs ${app}\``;
  return new CliError(run.error?.message ?? `the deployment of ${app} failed`, {
    code, hint, data: { run: run.id, ...(run.stageId ? { stageId: run.stageId } : {}) },
  });
}

/**
 * Asks `GET /api/v1/info` (at most every `everyMs`) whether a controller holds the
 * Lease: on Kubernetes a run stays `pending` while nobody does, and would otherwise be
 * followed without a word until the timeout. One leader-less answer is a warning (a
 * Lease changes hands within seconds); a second one, `everyMs` later, is `confirmed`.
 * A server that says nothing of a controller (embedded, older) is never leader-less.
 */
function watchLeaderless(api: ApiClient, everyMs: number): { check(): Promise<{ message: string; confirmed: boolean } | undefined> } {
  let lastCheck = -Infinity;
  let seen = 0;
  return {
    async check() {
      if (performance.now() - lastCheck < everyMs) return undefined;
      lastCheck = performance.now();
      const controller = await api.info().then((i) => i.controller, () => undefined);
      if (!controller || controller.reconciling) {
        seen = 0;
        return undefined;
      }
      seen += 1;
      return { message: controller.problem ?? 'no Slipway controller is reconciling', confirmed: seen >= 2 };
    },
  };
}

/** Polls the run until it succeeds or fails and returns it; throws on timeout or Ctrl-C. */
export async function followRun(options: FollowRunOptions, deps: FollowRunDeps): Promise<{ run: Run; sawBuildOutput: boolean }> {
  const { api, output } = deps;
  const { namespace, app, runId } = options;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const stop = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let logs: { stageId: string; done: Promise<void>; cancel: AbortController } | undefined;
  let sawBuildOutput = false;

  const streamBuild = (stageId: string, follow: boolean): Promise<void> => {
    const cancel = new AbortController();
    const signal = AbortSignal.any([cancel.signal, stop]);
    const done = (async () => {
      try {
        for await (const line of api.stagingLogs(namespace, stageId, { follow, signal })) {
          sawBuildOutput = true;
          output.err(buildLogText(line.value));
        }
      } catch (error) {
        if (!signal.aborted) output.err(`(the build output could not be read: ${toCliError(error).message})`);
      }
    })();
    logs = { stageId, done, cancel };
    return done;
  };
  // The build output ends when the stage ends; wait for it so it comes before the next phase.
  const settleLogs = async () => {
    if (!logs) return;
    const current = logs;
    await Promise.race([current.done, sleep(LOG_GRACE_MS, undefined, { ref: false })]);
    current.cancel.abort();
    await current.done;
  };

  let last: string | undefined;
  const leaderless = watchLeaderless(api, options.controllerCheckMs ?? CONTROLLER_CHECK_MS);
  try {
    for (;;) {
      const run = await api.getDeployment(namespace, app, runId);
      if (run.phase === 'pending') {
        const problem = await leaderless.check();
        if (problem?.confirmed) {
          throw new CliError(problem.message, {
            code: 'no_controller', data: { run: runId },
            hint: `the run starts once a Slipway controller holds the Lease; check it later with \`slipway apps show ${app}\``,
          });
        }
        if (problem && !problem.confirmed) output.err(`warning: ${problem.message}`);
      }
      if (run.phase !== last) {
        if (last === 'staging') await settleLogs();
        // The stage came and went between two looks: show what it printed, under its phase.
        if (options.showLogs && run.kind !== 'rollback' && run.stageId && !logs && run.phase !== 'staging') {
          output.err(phaseText('staging'));
          await streamBuild(run.stageId, false);
        }
        if (!FINAL.has(run.phase)) output.err(phaseText(run.phase));
        last = run.phase;
      }
      if (options.showLogs && run.phase === 'staging' && run.stageId && logs?.stageId !== run.stageId) void streamBuild(run.stageId, true);
      if (FINAL.has(run.phase)) {
        await settleLogs();
        return { run, sawBuildOutput };
      }
      await sleep(options.pollMs ?? POLL_MS, undefined, { signal: stop });
    }
  } catch (error) {
    if (!stop.aborted) throw error;
    const next = `it goes on on the server; check it with \`slipway apps show ${app}\``;
    if (deadline.aborted) {
      throw new CliError(`the deployment of ${app} did not finish within ${formatDuration(options.timeoutMs)}`, { code: 'timeout', hint: `${next}, or allow more time with --timeout`, data: { run: runId } });
    }
    throw new CliError(`stopped following the deployment of ${app}`, { code: 'interrupted', hint: next, data: { run: runId } });
  } finally {
    logs?.cancel.abort();
  }
}
