/**
 * `slipway apps list|show|delete`: thin calls of the applications API in one
 * namespace. Names are checked locally first so a typo never becomes a request.
 */
import type { App } from '../../core/types.ts';
import type { AppSummary } from '../../core/app-summary.ts';
import type { ApiClient } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';

/** What the apps commands need. */
export interface AppsDeps {
  api: ApiClient;
}

/** Options shared by the apps commands. */
export interface AppsOptions {
  namespace: string;
}

/** `slipway apps list`: the namespace's applications, as summaries (`apps show` has the histories). */
export async function appsList(options: AppsOptions, deps: AppsDeps): Promise<AppSummary[]> {
  return deps.api.listApps(checkedName('namespace', options.namespace));
}

/** `slipway apps show NAME`: one application with its spec and status. */
export async function appsShow(options: AppsOptions & { name: string }, deps: AppsDeps): Promise<App> {
  return deps.api.getApp(checkedName('namespace', options.namespace), checkedName('application', options.name));
}

/** `slipway apps delete NAME`: removes the application. */
export async function appsDelete(options: AppsOptions & { name: string }, deps: AppsDeps): Promise<{ deleted: string; namespace: string }> {
  const namespace = checkedName('namespace', options.namespace);
  const answer = await deps.api.deleteApp(namespace, checkedName('application', options.name));
  return { deleted: answer.deleted, namespace };
}
