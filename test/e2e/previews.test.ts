/**
 * End to end, pull request preview apps (issue 15): `slipway server` (local runtime) as
 * a process, repositories served by git http-backend whose pull request refs
 * (`refs/pull/N/head`, `refs/merge-requests/N/head`) are pushed as GitHub, GitLab and
 * Gitea keep them, hand-signed deliveries of the three providers, and the previews'
 * pages over HTTP. The git server and a fake GitHub API share one address, so the
 * repositories count as GitHub's and commit statuses are posted for them.
 */
import test from 'ava';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startServerProcess, REPO_ROOT, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { getApp, eventually } from '../helpers/app-request.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { createBareRepo, createWorkRepo } from '../helpers/git-repo.ts';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.ts';
import { githubPullDelivery, gitlabMergeDelivery, giteaPullDelivery, type Delivery, type PullRequestEvent } from '../helpers/pull-request-delivery.ts';

const PASSWORD = 'e2e-admin-password';
let server: ServerProcess;
let git: GitServer;
let github: FakeGitHub;
let front: Server;
/** The git server and the fake GitHub API (under /api/v3) on one address. */
let base = '';
let dataDir = '';
let serverEnv: Record<string, string>;
let env: Record<string, string>;
const cleanups: (() => Promise<unknown>)[] = [];

test.before(async () => {
  const data = await makeTempDir('slipway-previews-data-');
  const home = await makeTempDir('slipway-previews-home-');
  const repos = await makeTempDir('slipway-previews-repos-');
  cleanups.push(data.cleanup, home.cleanup, repos.cleanup);
  dataDir = data.dir;
  for (const name of ['acme/site', 'acme/lab', 'acme/tea', 'acme/polled']) await createBareRepo(repos.dir, name);
  git = await startGitServer({ root: repos.dir });
  github = await startFakeGitHub();
  cleanups.push(() => git.close(), () => github.close());
  front = createServer((req, res) => {
    // GitHub's (v3), GitLab's (v4) and Gitea's (v1) APIs all land on the recording fake.
    const api = /^\/api\/v[134]\//.test(req.url!);
    const target = new URL(api ? github.url : git.url);
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: api ? req.url!.replace(/^\/api\/v[134]/, '') : req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  cleanups.push(() => new Promise((resolve) => { front.closeAllConnections(); front.close(resolve); }));
  serverEnv = {
    SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1',
    SLIPWAY_WATCH_MIN_INTERVAL_MS: '1000', SLIPWAY_STOP_GRACE_MS: '1000',
    SLIPWAY_GITHUB_TOKEN: 'ghp_test', SLIPWAY_GITHUB_API_URL: `${base}/api/v3`,
    SLIPWAY_GITLAB_TOKEN: 'glpat_test', SLIPWAY_GITLAB_API_URL: `${base}/api/v4`,
    SLIPWAY_GITEA_TOKEN: 'gitea_test', SLIPWAY_GITEA_API_URL: `${base}/api/v1`,
  };
  server = await startServerProcess(serverEnv);
  env = { HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'cfg'), SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD };
});
test.after.always(async () => {
  await server?.stop();
  await Promise.all(cleanups.map((c) => c()));
});

/** A work repo holding examples/node-hello; `commit` changes the version it prints. */
async function appRepo(name: string) {
  const repo = await createWorkRepo();
  cleanups.push(() => repo.cleanup());
  await cp(join(REPO_ROOT, 'examples/node-hello'), repo.dir, { recursive: true });
  const original = await readFile(join(repo.dir, 'server.js'), 'utf8');
  const url = `${base}/${name}.git`;
  return {
    repo, url,
    async commit(version: string): Promise<string> {
      await writeFile(join(repo.dir, 'server.js'), original.replace("process.env.APP_VERSION || '1.0.0'", `'${version}'`));
      return repo.commit(version);
    },
    push: (...refspecs: string[]) => repo.push(url, refspecs),
  };
}

async function cli(...args: string[]): Promise<any> {
  const result = await runCli([...args, '--output', 'json'], env);
  if (result.code !== 0) throw new Error(`slipway ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function deliver(delivery: Delivery): Promise<number> {
  const response = await fetch(`${server.url}${delivery.path}`, { method: 'POST', body: delivery.body, headers: delivery.headers });
  await response.text();
  return response.status;
}

/** The app's previews as `slipway app previews` lists them. */
async function previews(app: string): Promise<any[]> {
  return (await cli('app', 'previews', app)).items;
}

/** Waits until preview `name` of `app` serves a page matching `pattern`; returns its URL. */
async function servedBy(app: string, name: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  let url = '';
  await eventually(async () => {
    url = (await previews(app)).find((p) => p.name === name)?.url ?? '';
    return url !== '' && pattern.test((await getApp(url)).body);
  }, `${name} to serve ${pattern}`, timeoutMs);
  return url;
}

/** A watched app with previews on, serving `main`. */
async function parentApp(name: string, repoPath: string, previewsFlags: string[], interval = '1h') {
  const source = await appRepo(repoPath);
  await source.commit('main-1');
  await source.push('main');
  await cli('push', '--name', name, '--git', `${source.url},main`, '--watch', '--interval', interval);
  await cli('app', 'previews', name, '--on', ...previewsFlags);
  const { secret } = await cli('app', 'webhook', name);
  return { ...source, secret: secret as string };
}

/** The files under the data directory whose path names `name` (releases, sources, logs). */
async function leftovers(name: string): Promise<string[]> {
  const all = await readdir(dataDir, { recursive: true });
  return all.filter((path) => path.split('/').includes(name));
}

test.serial('GitHub: a pull request gets a preview serving its head; new commits, replays, a fork, the limit, a restart and the close', async (t) => {
  const site = await parentApp('site', 'acme/site', ['--max', '2']);
  const event = (e: Partial<PullRequestEvent> & Pick<PullRequestEvent, 'number' | 'action' | 'head'>) => githubPullDelivery({ repoUrl: site.url, secret: site.secret, ...e });

  // Open: the head is confirmed from refs/pull/1/head, built and served at site-pr-1.
  await site.repo.branch('feature');
  const first = await site.commit('pr1-a');
  await site.push('feature', 'feature:refs/pull/1/head');
  const openedAt = new Date().toISOString();
  t.is(await deliver(event({ number: 1, action: 'opened', head: first, updatedAt: openedAt })), 202);
  const url = await servedBy('site', 'site-pr-1', /version pr1-a/);
  t.regex(new URL(url).hostname, /^site-pr-1\./, 'the route is <app>-pr-<number>.<domain>');
  const parentPage = (await cli('apps', 'show', 'site')).status.urls[0];
  t.regex((await getApp(parentPage)).body, /version main-1/, 'the parent still serves main');

  // A burst of pushes, whose deliveries arrive together: the newest head serves after at most one extra build.
  const burstStarted = new Date().toISOString();
  const heads: string[] = [];
  for (let i = 1; i <= 5; i++) {
    heads.push(await site.commit(`pr1-b${i}`));
    await site.push('feature', 'feature:refs/pull/1/head');
  }
  const last = heads.at(-1)!;
  for (const head of heads) t.is(await deliver(event({ number: 1, action: 'synchronize', head })), 202);
  await servedBy('site', 'site-pr-1', /version pr1-b5/);
  const shown = await cli('apps', 'show', 'site-pr-1');
  const builds = (shown.status.runs as { startedAt: string; stageId?: string }[]).filter((r) => r.startedAt > burstStarted && r.stageId);
  t.log(`${builds.length} builds for a burst of 5 commits`);
  t.true(builds.length <= 2, `${builds.length} builds ran`);
  t.is(shown.status.release.revision, last);
  t.like(shown.spec, { instances: 1, preview: { parent: 'site', number: 1, ref: 'refs/pull/1/head', fork: false } });

  // A replayed opening (old head, old time) changes nothing.
  const releases = shown.status.releases.length;
  t.is(await deliver(event({ number: 1, action: 'opened', head: first, updatedAt: openedAt })), 202);
  t.is(await deliver(event({ number: 1, action: 'synchronize', head: first })), 202);

  // A fork is refused with a commit status; so is a third preview over --max 2.
  const forkHead = await site.commit('fork-code');
  await site.push('HEAD:refs/pull/2/head');
  t.is(await deliver(event({ number: 2, action: 'opened', head: forkHead, fork: true })), 202);
  await site.repo.checkout('main');
  await site.repo.branch('second');
  const second = await site.commit('pr3');
  await site.push('second', 'second:refs/pull/3/head');
  t.is(await deliver(event({ number: 3, action: 'opened', head: second })), 202);
  await servedBy('site', 'site-pr-3', /version pr3/);
  await site.repo.branch('third');
  const third = await site.commit('pr4');
  await site.push('third', 'third:refs/pull/4/head');
  t.is(await deliver(event({ number: 4, action: 'opened', head: third })), 202);
  const statusFor = (sha: string) => github.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/statuses/${sha}`)).map((c) => c.body);
  await eventually(() => statusFor(third).some((s) => s.state === 'failure'), 'the limit refusal on the pull request', 60_000); // GitHub writes are queued by octokit (1 a second, 3 s for notifying ones)
  t.like(statusFor(third).find((s) => s.state === 'failure'), { context: 'slipway/workspace/site-pr-4' });
  t.regex(statusFor(third).find((s) => s.state === 'failure').description, /at most 2/);
  await eventually(() => statusFor(forkHead).some((s) => s.state === 'failure'), 'the fork refusal on the pull request', 60_000); // GitHub writes are queued by octokit (1 a second, 3 s for notifying ones)
  t.regex(statusFor(forkHead).find((s) => s.state === 'failure').description, /forks/);
  t.deepEqual((await previews('site')).map((p) => p.name), ['site-pr-1', 'site-pr-3']);
  // The preview's own deployments report success with its URL.
  await eventually(() => statusFor(last).some((s) => s.state === 'success'), 'the success status with the preview URL', 60_000); // GitHub writes are queued by octokit (1 a second, 3 s for notifying ones)
  t.is(statusFor(last).find((s) => s.state === 'success').target_url, url);
  // And one comment on the pull request, updated in place, with the URL and the head it serves.
  // GitHub writes are queued by octokit (1 a second, 3 s for notifying ones).
  await eventually(() => github.comments.some((c) => c.issue === 'acme/site#1' && c.body.includes(last.slice(0, 12))), 'the preview comment to show the newest head', 60_000)
    .catch(async (error) => {
      t.log('comments:', JSON.stringify(github.comments), 'runs:', JSON.stringify((await cli('apps', 'show', 'site-pr-1')).status.runs.map((r: any) => [r.id, r.phase, r.revision?.slice(0, 12), r.error?.code])));
      throw error;
    });
  const comments = github.comments.filter((c) => c.issue === 'acme/site#1');
  t.is(comments.length, 1);
  t.true(comments[0]!.updates >= 1, 'updated in place');
  t.true(comments[0]!.body.includes(url));

  // Nothing regressed meanwhile.
  const after = await cli('apps', 'show', 'site-pr-1');
  t.is(after.status.release.revision, last);
  t.is(after.status.releases.length, releases);
  t.regex((await getApp(url)).body, /version pr1-b5/);

  // `apps list` groups previews under their parent.
  const listed = (await cli('apps', 'list')).map((a: any) => a.metadata.name);
  t.deepEqual(listed.slice(listed.indexOf('site'), listed.indexOf('site') + 3), ['site', 'site-pr-1', 'site-pr-3']);

  // A restart: the previews come back as they were.
  await server.stop();
  server = await startServerProcess(serverEnv);
  env.SLIPWAY_URL = server.url;
  const restartedUrl = await servedBy('site', 'site-pr-1', /version pr1-b5/);
  t.deepEqual((await previews('site')).map((p) => p.name), ['site-pr-1', 'site-pr-3']);

  // Close: the preview, its process, route and sources are gone; a replayed opening does not bring it back.
  t.true((await leftovers('site-pr-1')).length > 0, 'the preview had files');
  t.is(await deliver(event({ number: 1, action: 'closed', head: last })), 202);
  await eventually(async () => (await previews('site')).every((p) => p.name !== 'site-pr-1'), 'the preview to go');
  await eventually(async () => (await getApp(restartedUrl)).status === 404, 'the route to go');
  t.deepEqual(await leftovers('site-pr-1'), []);
  t.is(await deliver(event({ number: 1, action: 'opened', head: first, updatedAt: openedAt })), 202);
  // Its check runs after this one's debounce: the next preview (pr-4, now under the limit) proves the queue moved on.
  t.is(await deliver(event({ number: 4, action: 'reopened', head: third })), 202);
  await servedBy('site', 'site-pr-4', /version pr4/);
  t.deepEqual((await previews('site')).map((p) => p.name), ['site-pr-3', 'site-pr-4']);
  t.is((await runCli(['apps', 'show', 'site-pr-1'], env)).code, 1, 'the closed preview stays closed');
});

test.serial('GitLab merge requests and Gitea pull requests open, update and close previews', async (t) => {
  for (const [app, path, make] of [['lab', 'acme/lab', gitlabMergeDelivery], ['tea', 'acme/tea', giteaPullDelivery]] as const) {
    const source = await parentApp(app, path, []);
    const ref = app === 'lab' ? 'refs/merge-requests/7/head' : 'refs/pull/7/head';
    await source.repo.branch('change');
    const head = await source.commit(`${app}-a`);
    await source.push('change', `change:${ref}`);
    const event = (action: PullRequestEvent['action'], sha: string) => make({ repoUrl: source.url, secret: source.secret, number: 7, action, head: sha });
    t.is(await deliver(event('opened', head)), 202);
    const url = await servedBy(app, `${app}-pr-7`, new RegExp(`version ${app}-a`));
    const next = await source.commit(`${app}-b`);
    await source.push('change', `change:${ref}`);
    t.is(await deliver(event('synchronize', next)), 202);
    await servedBy(app, `${app}-pr-7`, new RegExp(`version ${app}-b`));
    // The merge request (pull request) shows the preview's link through the forge's own status API.
    const statusPath = app === 'lab' ? `/projects/${encodeURIComponent('acme/lab')}/statuses/${next}` : `/repos/acme/tea/statuses/${next}`;
    await eventually(() => github.calls.some((c) => c.path === statusPath && c.body?.state === 'success'
      && (app === 'lab' || c.authorization === 'token gitea_test')), `${app}'s success status`, 60_000); // GitHub writes are queued by octokit (1 a second, 3 s for notifying ones)
    const success = github.calls.find((c) => c.path === statusPath && c.body?.state === 'success' && (app === 'lab' || c.authorization === 'token gitea_test'))!;
    t.is(success.body.target_url, url);
    t.is(success.body[app === 'lab' ? 'name' : 'context'], `slipway/workspace/${app}-pr-7`);
    // A forged delivery is refused like a forged push.
    t.is(await deliver(make({ repoUrl: source.url, secret: 'not-the-secret', number: 7, action: 'closed', head: next })), 401);
    t.is(await deliver(event('closed', next)), 202);
    await eventually(async () => (await previews(app)).length === 0, `${app}'s preview to go`);
    await eventually(async () => (await getApp(url)).status === 404, `${app}'s route to go`);
  }
});

test.serial('without webhooks, polling starts a preview for a pull request ref and removes it when the ref goes', async (t) => {
  const polled = await parentApp('polled', 'acme/polled', [], '2s');
  await polled.repo.branch('topic');
  await polled.commit('polled-a');
  await polled.push('topic', 'topic:refs/pull/9/head');
  const url = await servedBy('polled', 'polled-pr-9', /version polled-a/, 60_000);
  await polled.commit('polled-b');
  await polled.push('topic', 'topic:refs/pull/9/head');
  await servedBy('polled', 'polled-pr-9', /version polled-b/, 60_000);
  await polled.push(':refs/pull/9/head');
  await eventually(async () => (await previews('polled')).length === 0, 'the preview whose ref went to go', 60_000); // GitHub writes are queued by octokit (1 a second, 3 s for notifying ones)
  await eventually(async () => (await getApp(url)).status === 404, 'its route to go');
  t.pass();
});
