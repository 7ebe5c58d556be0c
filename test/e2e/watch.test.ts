/**
 * End to end, "git push triggers deployment": `slipway server` (local runtime) as a
 * process, a repository served by git http-backend, real `git push`es, signed GitHub
 * deliveries, and the app's page over HTTP.
 */
import test from 'ava';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess, REPO_ROOT, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { getApp, eventually } from '../helpers/app-request.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../helpers/git-repo.ts';
import { githubPushDelivery } from '../helpers/github-delivery.ts';

const PASSWORD = 'e2e-admin-password';
let server: ServerProcess;
let git: GitServer;
let env: Record<string, string>;
const cleanups: (() => Promise<unknown>)[] = [];

test.before(async () => {
  const data = await makeTempDir('slipway-watch-data-');
  const home = await makeTempDir('slipway-watch-home-');
  const repos = await makeTempDir('slipway-watch-repos-');
  cleanups.push(data.cleanup, home.cleanup, repos.cleanup);
  for (const name of ['hooked', 'polled', 'burst', 'tagged']) await createBareRepo(repos.dir, name);
  git = await startGitServer({ root: repos.dir });
  cleanups.push(() => git.close());
  server = await startServerProcess({
    SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1',
    SLIPWAY_WATCH_MIN_INTERVAL_MS: '1000', SLIPWAY_STOP_GRACE_MS: '1000',
  });
  env = { HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'cfg'), SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD };
});
test.after.always(async () => {
  await server?.stop();
  await Promise.all(cleanups.map((c) => c()));
});

/** A work repo holding examples/node-hello, pushed to `<git>/<name>.git`. */
async function appRepo(name: string): Promise<{ repo: WorkRepo; commit(version: string): Promise<string> }> {
  const repo = await createWorkRepo();
  cleanups.push(() => repo.cleanup());
  await cp(join(REPO_ROOT, 'examples/node-hello'), repo.dir, { recursive: true });
  const original = await readFile(join(repo.dir, 'server.js'), 'utf8');
  return {
    repo,
    async commit(version) {
      await writeFile(join(repo.dir, 'server.js'), original.replace("process.env.APP_VERSION || '1.0.0'", `'${version}'`));
      const sha = await repo.commit(version);
      await repo.push(`${git.url}/${name}.git`, ['main']);
      return sha;
    },
  };
}

async function appStatus(name: string): Promise<any> {
  return JSON.parse((await runCli(['apps', 'show', name, '--output', 'json'], env)).stdout).status;
}

async function deliver(body: string, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${server.url}/webhooks/github`, { method: 'POST', body, headers });
  await response.text();
  return { status: response.status, ms: performance.now() - started };
}

test.serial('a git push with a signed GitHub delivery serves the new revision within seconds; replays and old SHAs change nothing', async (t) => {
  const { commit } = await appRepo('hooked');
  const repoUrl = `${git.url}/hooked.git`;
  const first = await commit('v1');
  // A long interval: only webhooks can be what deploys here.
  const pushed = await runCli(['push', '--name', 'hooked', '--git', `${repoUrl},main`, '--watch', '--interval', '1h', '--output', 'json'], env);
  t.is(pushed.code, 0, pushed.stderr);
  const url = JSON.parse(pushed.stdout).urls[0];
  t.regex((await getApp(url)).body, /version v1/);
  const { secret } = JSON.parse((await runCli(['app', 'webhook', 'hooked', '--output', 'json'], env)).stdout);

  const second = await commit('v2');
  const delivery = githubPushDelivery({ repoUrl, branch: 'main', after: second, before: first, secret });
  const started = performance.now();
  const answer = await deliver(delivery.body, delivery.headers);
  t.is(answer.status, 202);
  t.true(answer.ms < 1000, `acknowledged in ${answer.ms.toFixed(0)} ms`);
  await eventually(async () => /version v2/.test((await getApp(url)).body), 'v2 to serve', 5000);
  t.log(`push → serving in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  const afterV2 = (await appStatus('hooked')).releases.length;

  // 100 identical deliveries: one check finds nothing new.
  const answers = await Promise.all(Array.from({ length: 100 }, () => deliver(delivery.body, delivery.headers)));
  t.true(answers.every((a) => a.status === 202));
  // An old SHA after the new one: the check deploys the head, which already serves.
  const stale = githubPushDelivery({ repoUrl, branch: 'main', after: first, secret });
  t.is((await deliver(stale.body, stale.headers)).status, 202);
  await new Promise((r) => setTimeout(r, 1500));
  const status = await appStatus('hooked');
  t.is(status.releases.length, afterV2, 'no new release');
  t.is(status.release.revision, second);
  t.is(status.release.branch, 'main', 'a release deployed by a webhook keeps the branch it follows');
  t.is(status.source.branch, 'main');
  t.regex((await getApp(url)).body, /version v2/);

  // A wrong signature changes nothing.
  const forged = githubPushDelivery({ repoUrl, branch: 'main', after: second, secret: 'not-the-secret' });
  t.is((await deliver(forged.body, forged.headers)).status, 401);
});

test.serial('20 pushes in quick succession end with the last commit serving, with at most 3 stages', async (t) => {
  const { commit } = await appRepo('burst');
  const repoUrl = `${git.url}/burst.git`;
  await commit('b0');
  const pushed = await runCli(['push', '--name', 'burst', '--git', `${repoUrl},main`, '--watch', '--interval', '1h', '--output', 'json'], env);
  t.is(pushed.code, 0, pushed.stderr);
  const url = JSON.parse(pushed.stdout).urls[0];
  const { secret } = JSON.parse((await runCli(['app', 'webhook', 'burst', '--output', 'json'], env)).stdout);
  const burstStarted = new Date().toISOString();
  let last = '';
  for (let i = 1; i <= 20; i++) {
    last = await commit(`b${i}`);
    const delivery = githubPushDelivery({ repoUrl, branch: 'main', after: last, secret });
    t.is((await deliver(delivery.body, delivery.headers)).status, 202);
  }
  await eventually(async () => /version b20/.test((await getApp(url)).body), 'the last commit to serve', 30_000);
  const status = await appStatus('burst');
  t.is(status.release.revision, last);
  const stages = (status.runs as { startedAt: string; stageId?: string }[]).filter((r) => r.startedAt > burstStarted && r.stageId);
  t.log(`${stages.length} stages ran for 20 pushes`);
  t.true(stages.length <= 3, `${stages.length} stages ran`);
});

test.serial('without webhooks, polling picks up a push within its interval', async (t) => {
  const { commit } = await appRepo('polled');
  await commit('p1');
  const pushed = await runCli(['push', '--name', 'polled', '--git', `${git.url}/polled.git,main`, '--watch', '--interval', '2s', '--output', 'json'], env);
  t.is(pushed.code, 0, pushed.stderr);
  const url = JSON.parse(pushed.stdout).urls[0];
  await commit('p2');
  const started = performance.now();
  await eventually(async () => /version p2/.test((await getApp(url)).body), 'the poller to deploy p2', 10_000);
  const seconds = (performance.now() - started) / 1000;
  t.log(`push → serving by polling in ${seconds.toFixed(2)} s (interval 2 s ± 10 %)`);
  t.true(seconds < 2.2 + 3, 'within the interval plus jitter plus the deploy itself');
  t.like((await appStatus('polled')).watch, { failures: 0 });
});

test.serial('watching a tag is refused', async (t) => {
  const { repo, commit } = await appRepo('tagged');
  await commit('t1');
  await repo.tag('v9');
  await repo.push(`${git.url}/tagged.git`, ['v9']);
  const pushed = await runCli(['push', '--name', 'tagged', '--git', `${git.url}/tagged.git,v9`, '--watch'], env);
  t.is(pushed.code, 1);
  t.regex(pushed.stderr, /watch_needs_branch/);
});
