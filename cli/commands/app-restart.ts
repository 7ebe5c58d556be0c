/** `slipway app restart NAME`: restarts the app's instances (`POST …/restart`). */
import type { ApiClient } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';

/** Runs `slipway app restart`. */
export async function appRestart(options: { namespace: string; name: string }, deps: { api: ApiClient }): Promise<{ restarted: string; namespace: string }> {
  const namespace = checkedName('namespace', options.namespace);
  const answer = await deps.api.restartApp(namespace, checkedName('application', options.name));
  return { restarted: answer.restarted, namespace };
}
