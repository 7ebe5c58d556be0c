/**
 * `slipway app watch NAME [--off] [--interval 1m]`: follow (or stop following) the
 * app's git branch, redeploying when it moves.
 */
import type { ApiClient } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';
import { usageError } from '../cli-error.ts';

/** Options of {@link appWatch}. */
export interface AppWatchOptions {
  namespace: string;
  name: string;
  off?: boolean;
  interval?: string;
}

/** What `app watch` did. */
export interface AppWatchResult {
  app: string;
  namespace: string;
  watching: boolean;
  branch?: string;
  interval?: string;
}

/** Turns watching on or off and returns the new state. */
export async function appWatch(options: AppWatchOptions, deps: { api: ApiClient }): Promise<AppWatchResult> {
  const name = checkedName('application', options.name);
  if (options.interval !== undefined && !/^\d+(s|m|h)$/.test(options.interval)) {
    throw usageError(`--interval ${JSON.stringify(options.interval)} is not an interval`, 'use a number with s, m or h, e.g. --interval 1m');
  }
  const app = await deps.api.setWatch(options.namespace, name, { watch: !options.off, ...(options.interval ? { interval: options.interval } : {}) });
  const origin = app.spec.origin?.kind === 'git' ? app.spec.origin : undefined;
  return { app: name, namespace: options.namespace, watching: origin?.watch === true, branch: origin?.branch, interval: origin?.interval };
}
