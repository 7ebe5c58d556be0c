/**
 * Signed GitHub push deliveries built from a real example payload
 * (`@octokit/webhooks-examples`), pointed at a repository and commit of the test's.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** One example payload of a GitHub event from `@octokit/webhooks-examples`. */
export function githubExample(event: string, pick: (example: Record<string, any>) => boolean = () => true): Record<string, any> {
  const all = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, any>[] }[];
  const example = all.find((entry) => entry.name === event)?.examples.find(pick);
  if (!example) throw new Error(`no ${event} example matches`);
  return structuredClone(example);
}

/** A push of `after` to `branch` of the repository at `repoUrl`, signed with `secret`: body and headers to POST. */
export function githubPushDelivery(options: { repoUrl: string; branch: string; after: string; before?: string; secret: string; deliveryId?: string }) {
  const payload = githubExample('push', (e) => e.ref?.startsWith('refs/heads/') && !e.deleted);
  payload.ref = `refs/heads/${options.branch}`;
  payload.after = options.after;
  payload.before = options.before ?? '0'.repeat(40).replace(/^0/, '1');
  payload.deleted = false;
  const web = options.repoUrl.replace(/\.git$/, '');
  Object.assign(payload.repository, { html_url: web, clone_url: options.repoUrl, git_url: options.repoUrl.replace(/^https?/, 'git'), ssh_url: options.repoUrl, url: web });
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': options.deliveryId ?? randomUUID(), 'x-hub-signature-256': signature,
    },
  };
}
