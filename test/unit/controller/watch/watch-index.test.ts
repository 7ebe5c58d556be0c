import test from 'ava';
import type { App } from '../../../../core/types.ts';
import { createWatchIndex, watchTarget } from '../../../../controller/watch/watch-index.ts';
import { normaliseRepoUrl } from '../../../../core/repo-url.ts';

const app = (name: string, url: string): App => ({
  metadata: { namespace: 'workspace', name, resourceVersion: '1', generation: 1, createdAt: '' },
  spec: { instances: 1, env: {}, routes: [], origin: { kind: 'git', url, branch: 'main', watch: true } },
  status: {},
}) as App;

test('a webhook naming the HTTPS URL finds the app watching the SSH URL, and the other way round (issue 17)', (t) => {
  const index = createWatchIndex();
  for (const a of [app('ssh-app', 'git@github.com:org/api.git'), app('https-app', 'https://github.com/org/web'), app('other-port', 'ssh://git@github.com:2222/org/api.git')]) {
    const target = watchTarget(a, 1000)!;
    index.set({ namespace: 'workspace', name: a.metadata.name, ...target, nextAt: 0, failures: 0 });
  }
  // What GitHub's push payload lists for a repository: html_url, clone_url, ssh_url, git_url.
  const payload = (repo: string) => [`https://github.com/${repo}`, `https://github.com/${repo}.git`, `git@github.com:${repo}.git`, `git://github.com/${repo}.git`]
    .map(normaliseRepoUrl).filter((x): x is string => x !== undefined);
  t.deepEqual(index.match(payload('org/api'), 'main'), ['workspace/ssh-app']);
  t.deepEqual(index.match(payload('org/web'), 'main'), ['workspace/https-app']);
  t.deepEqual(index.match(['git@github.com:org/web.git'].map((u) => normaliseRepoUrl(u)!), 'main'), ['workspace/https-app']);
});
