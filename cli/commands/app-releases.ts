/** `slipway app releases NAME`: the release history, newest first (`GET …/releases`). */
import type { ApiClient, ReleaseEntry } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';

/** Runs `slipway app releases`. */
export async function appReleases(options: { namespace: string; name: string }, deps: { api: ApiClient }): Promise<ReleaseEntry[]> {
  return deps.api.listReleases(checkedName('namespace', options.namespace), checkedName('application', options.name));
}
