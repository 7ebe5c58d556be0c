/**
 * `slipway app logs NAME [--follow] [--tail N] [--staging]`: the app's instance output
 * (`…/applications/:app/logs`), or with `--staging` the build output of its latest run
 * (`…/staging/:stageId/logs`). Lines are handed to `onLine` as they arrive; following
 * ends when the server ends the stream or the signal (Ctrl-C) fires.
 */
import type { ApiClient, LogLine } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';
import { CliError, usageError } from '../cli-error.ts';
import type { NdjsonLine } from '../ndjson-lines.ts';

/** `slipway app logs` options. */
export interface AppLogsOptions {
  namespace: string;
  name: string;
  follow?: boolean;
  /** Lines from the end to start with (app logs; the server's default when absent). */
  tail?: number;
  /** The latest run's build output instead of the app's. */
  staging?: boolean;
}

/** What app logs needs. */
export interface AppLogsDeps {
  api: ApiClient;
  /** Called for each line as it arrives. */
  onLine(line: NdjsonLine<LogLine>): void;
  /** Ends following cleanly (Ctrl-C). */
  signal?: AbortSignal;
}

/** What app logs did. */
export interface AppLogsResult {
  lines: number;
  /** True when the signal ended it rather than the server. */
  interrupted: boolean;
}

/** Runs `slipway app logs`. */
export async function appLogs(options: AppLogsOptions, deps: AppLogsDeps): Promise<AppLogsResult> {
  const namespace = checkedName('namespace', options.namespace);
  const name = checkedName('application', options.name);
  if (options.staging && options.tail !== undefined) throw usageError('--tail applies to app logs, not to --staging');
  const follow = options.follow ?? false;
  let read: (tail: number | undefined) => AsyncIterable<NdjsonLine<LogLine>>;
  if (options.staging) {
    const stageId = (await deps.api.getApp(namespace, name)).status.run?.stageId;
    if (!stageId) {
      throw new CliError(`application "${name}" has not been staged yet`, { code: 'not_staged', hint: `deploy it with \`slipway push --name ${name}\`` });
    }
    read = () => deps.api.stagingLogs(namespace, stageId, { follow, signal: deps.signal });
  } else {
    read = (tail) => deps.api.appLogs(namespace, name, { follow, tail, signal: deps.signal });
  }
  let lines = 0;
  let tail = options.tail;
  for (;;) {
    try {
      for await (const line of read(tail)) {
        lines += 1;
        deps.onLine(line);
      }
      return { lines, interrupted: false };
    } catch (error) {
      if (deps.signal?.aborted) return { lines, interrupted: true };
      // A quiet app outlasts fetch's body timeout (300 s): reconnect for new lines only.
      if (follow && !options.staging && error instanceof CliError && error.code === 'timeout') {
        tail = 0;
        continue;
      }
      throw error;
    }
  }
}
