/**
 * `slipway app previews NAME [--on [--max N] [--allow-forks] | --off]`: pull request
 * preview apps (issue 15). Without --on or --off it lists the app's previews.
 */
import type { ApiClient, PreviewsAnswer } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';
import { usageError } from '../cli-error.ts';

/** Options of {@link appPreviews}. */
export interface AppPreviewsOptions {
  namespace: string;
  name: string;
  on?: boolean;
  off?: boolean;
  max?: number;
  allowForks?: boolean;
}

/** What `app previews` answers: the settings, the open previews, and what turning them off deleted. */
export type AppPreviewsResult = PreviewsAnswer & { namespace: string; removed?: string[] };

/** Turns previews on or off, or lists them. */
export async function appPreviews(options: AppPreviewsOptions, deps: { api: ApiClient }): Promise<AppPreviewsResult> {
  const name = checkedName('application', options.name);
  if (options.on && options.off) throw usageError('--on and --off contradict each other', 'give one of them');
  if (!options.on && (options.max !== undefined || options.allowForks)) throw usageError('--max and --allow-forks go with --on', `slipway app previews ${name} --on --max 3`);
  let removed: string[] | undefined;
  if (options.on || options.off) {
    const body = { enabled: options.on === true, ...(options.max !== undefined ? { max: options.max } : {}), ...(options.allowForks ? { allowForks: true } : {}) };
    removed = (await deps.api.setPreviews(options.namespace, name, body)).removed;
  }
  const listed = await deps.api.previews(options.namespace, name);
  return { ...listed, namespace: options.namespace, ...(removed?.length ? { removed } : {}) };
}
