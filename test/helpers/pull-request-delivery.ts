/**
 * Signed pull request deliveries for preview apps, one per provider: GitHub's
 * `pull_request` (from a real example payload of `@octokit/webhooks-examples`),
 * GitLab's merge request hook and Gitea's `pull_request`, pointed at a repository of
 * the test's and signed as each provider signs (HMAC-SHA256, or GitLab's token).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { githubExample } from './github-delivery.ts';

/** What the delivery says about the pull request. */
export interface PullRequestEvent {
  repoUrl: string;
  number: number;
  action: 'opened' | 'synchronize' | 'reopened' | 'closed';
  head: string;
  fork?: boolean;
  /** When the provider last changed the pull request (default: now). */
  updatedAt?: string;
  secret: string;
}

/** A delivery: the path under /webhooks, the body and the headers. */
export interface Delivery {
  path: string;
  body: string;
  headers: Record<string, string>;
}

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** GitHub `pull_request`. */
export function githubPullDelivery(event: PullRequestEvent): Delivery {
  const payload = githubExample('pull_request', (e) => e.action === (event.action === 'synchronize' ? 'synchronize' : event.action));
  const web = event.repoUrl.replace(/\.git$/, '');
  const name = new URL(web).pathname.slice(1);
  payload.action = event.action;
  payload.number = event.number;
  payload.pull_request.number = event.number;
  payload.pull_request.head.sha = event.head;
  payload.pull_request.updated_at = event.updatedAt ?? new Date().toISOString();
  payload.pull_request.base.repo.full_name = name;
  payload.pull_request.head.repo = { ...payload.pull_request.base.repo, full_name: event.fork ? `someone-else/${name.split('/')[1]}` : name };
  Object.assign(payload.repository, { html_url: web, clone_url: event.repoUrl, git_url: event.repoUrl.replace(/^https?/, 'git'), ssh_url: event.repoUrl, url: web, full_name: name });
  const body = JSON.stringify(payload);
  return {
    path: '/webhooks/github', body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${hmac(event.secret, body)}` },
  };
}

/** GitLab merge request hook. */
export function gitlabMergeDelivery(event: PullRequestEvent): Delivery {
  const web = event.repoUrl.replace(/\.git$/, '');
  const action = { opened: 'open', synchronize: 'update', reopened: 'reopen', closed: 'close' }[event.action];
  const payload = {
    object_kind: 'merge_request', event_type: 'merge_request',
    project: { id: 1, web_url: web, git_http_url: event.repoUrl, git_ssh_url: 'git@example.invalid:x/y.git' },
    object_attributes: {
      iid: event.number, id: 1000 + event.number, action, state: event.action === 'closed' ? 'closed' : 'opened',
      source_project_id: event.fork ? 2 : 1, target_project_id: 1, last_commit: { id: event.head },
      updated_at: event.updatedAt ?? new Date().toISOString(),
    },
  };
  const body = JSON.stringify(payload);
  return { path: '/webhooks/gitlab', body, headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-token': event.secret, 'x-gitlab-event-uuid': randomUUID() } };
}

/** Gitea (or Forgejo) `pull_request`. */
export function giteaPullDelivery(event: PullRequestEvent): Delivery {
  const web = event.repoUrl.replace(/\.git$/, '');
  const action = event.action === 'synchronize' ? 'synchronized' : event.action;
  const payload = {
    action, number: event.number,
    pull_request: {
      number: event.number, state: event.action === 'closed' ? 'closed' : 'open', updated_at: event.updatedAt ?? new Date().toISOString(),
      head: { sha: event.head, repo_id: event.fork ? 9 : 1 }, base: { repo_id: 1 },
    },
    repository: { id: 1, html_url: web, clone_url: event.repoUrl },
  };
  const body = JSON.stringify(payload);
  return { path: '/webhooks/gitea', body, headers: { 'content-type': 'application/json', 'x-gitea-event': 'pull_request', 'x-gitea-delivery': randomUUID(), 'x-gitea-signature': hmac(event.secret, body) } };
}
