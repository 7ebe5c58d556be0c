/**
 * `slipway app webhook NAME`: where to point a provider's webhook for the app, with the
 * secret to sign deliveries and copy-paste steps for GitHub, GitLab and Gitea.
 */
import type { ApiClient, WebhookInfo } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';

/** Fetches the app's webhook settings. */
export function appWebhook(options: { namespace: string; name: string }, deps: { api: ApiClient }): Promise<WebhookInfo> {
  return deps.api.webhook(options.namespace, checkedName('application', options.name));
}
