/**
 * `slipway app rollback NAME [--release N]`: starts a run that redeploys an earlier
 * release's image without rebuilding (`POST …/rollback`, default: the release before
 * the current one), follows it like push does, and reports where the app answers.
 */
import type { ApiClient } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';
import { DEFAULT_DEPLOY_TIMEOUT_MS, followRun, runFailure } from '../follow-run.ts';
import type { Output } from '../output.ts';

/** `slipway app rollback` options. */
export interface AppRollbackOptions {
  namespace: string;
  name: string;
  /** The release to go back to; the server picks the previous one when absent. */
  release?: number;
  timeoutMs?: number;
}

/** What rollback needs. */
export interface AppRollbackDeps {
  api: ApiClient;
  output: Output;
  signal?: AbortSignal;
  pollMs?: number;
}

/** What rollback did. */
export interface AppRollbackResult {
  app: string;
  namespace: string;
  run: string;
  release?: number;
  urls: string[];
}

/** Runs `slipway app rollback`; a failed run throws with its code. */
export async function appRollback(options: AppRollbackOptions, deps: AppRollbackDeps): Promise<AppRollbackResult> {
  const namespace = checkedName('namespace', options.namespace);
  const app = checkedName('application', options.name);
  const started = await deps.api.rollback(namespace, app, options.release === undefined ? {} : { release: options.release });
  const { run } = await followRun({
    namespace, app, runId: started.id, timeoutMs: options.timeoutMs ?? DEFAULT_DEPLOY_TIMEOUT_MS, showLogs: false, signal: deps.signal, pollMs: deps.pollMs,
  }, deps);
  if (run.phase === 'failed') throw runFailure(run, app, false);
  return { app, namespace, run: run.id, release: run.release, urls: run.urls ?? [] };
}
