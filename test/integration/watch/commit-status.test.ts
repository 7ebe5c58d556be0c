/**
 * Commit statuses through the whole path: a watch check deploys a pushed commit and
 * the reporter posts pending then success (or failure) for that SHA to a stand-in for
 * the GitHub API. The git server's host plays the part of a GitHub Enterprise host.
 */
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { createCommitStatusReporter, createGitHubClient, githubHostOf, type GitHubClientOptions } from '../../../controller/watch/commit-status.ts';
import type { RunObserver } from '../../../controller/pipeline/create-runner.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import { eventually } from '../../helpers/app-request.ts';
import { FAKE_INSTALLATION_TOKEN, startFakeGitHub, type FakeGitHub } from '../../helpers/fake-github.ts';
import { NS, startWatchRig } from './watch-rig.ts';

async function rigWithGitHub(t: { teardown(fn: () => Promise<void>): void }, options: { statusCode?: number; auth?: Partial<GitHubClientOptions>; githubHost?: string } = {}) {
  const github = await startFakeGitHub({ statusCode: options.statusCode });
  t.teardown(() => github.close());
  let store: StateStore | undefined;
  let reporter: RunObserver | undefined;
  // The reporter needs the rig's store and the rig needs the observer: bind late.
  const observer: RunObserver = (ns, app, run) => reporter?.(ns, app, run);
  const rig = await startWatchRig({ observers: [observer] });
  t.teardown(() => rig.close());
  store = rig.store;
  const octokit = createGitHubClient({ token: 'ghp_testtoken', baseUrl: github.url, retries: 0, throttle: false, ...options.auth } as GitHubClientOptions);
  reporter = createCommitStatusReporter({ octokit, store, logger: silentLogger, githubHost: options.githubHost ?? new URL(rig.server.url).host });
  return { rig, github };
}

const statuses = (github: FakeGitHub) => github.calls.filter((c) => c.path.includes('/statuses/'));

test('a watched deploy posts pending, then success with the app URL, on the deployed SHA', async (t) => {
  const { rig, github } = await rigWithGitHub(t);
  const sha = await rig.push();
  await rig.addApp('web');
  await rig.watcher.check(NS, 'web');
  await rig.runner.idle();
  await eventually(() => statuses(github).length >= 2, 'two statuses');
  const calls = statuses(github);
  t.deepEqual(calls.map((c) => [c.method, c.path, c.body.state]), [
    ['POST', `/repos/acme/web/statuses/${sha}`, 'pending'],
    ['POST', `/repos/acme/web/statuses/${sha}`, 'success'],
  ]);
  t.like(calls[1]!.body, { context: `slipway/${NS}/web`, target_url: 'http://web.localhost:8080/' });
  t.is(calls[0]!.body.target_url, undefined);
  t.is(calls[0]!.authorization, 'token ghp_testtoken');
  for (const call of calls) t.true(call.body.description.length <= 140);
  t.is(statuses(github).length, 2, 'each state once, though the run changed phase several times');
});

test('a failed build posts failure with a short reason', async (t) => {
  const { rig, github } = await rigWithGitHub(t);
  const sha = await rig.push();
  await rig.addApp('web');
  rig.runtime.failNextStage = `npm run build exited with code 1 ${'x'.repeat(300)}`;
  await rig.watcher.check(NS, 'web');
  await rig.runner.idle();
  await eventually(() => statuses(github).some((c) => c.body.state === 'failure'), 'a failure status');
  const failure = statuses(github).find((c) => c.body.state === 'failure')!;
  t.is(failure.path, `/repos/acme/web/statuses/${sha}`);
  t.regex(failure.body.description, /^Build failed on workspace\/web: npm run build exited with code 1/);
  t.true(failure.body.description.length <= 140);
});

test('GitHub answering 500 does not fail the deployment', async (t) => {
  const { rig, github } = await rigWithGitHub(t, { statusCode: 500 });
  const sha = await rig.push();
  await rig.addApp('web');
  await rig.watcher.check(NS, 'web');
  await rig.runner.idle();
  await eventually(() => statuses(github).length >= 2, 'both attempts');
  t.is(await rig.serving('web'), sha);
  t.is((await rig.store.getApp(NS, 'web'))!.status.run!.phase, 'succeeded');
});

test('apps on other hosts get no status', async (t) => {
  const { rig, github } = await rigWithGitHub(t, { githubHost: 'github.com' });
  await rig.push();
  await rig.addApp('web');
  await rig.watcher.check(NS, 'web');
  await rig.runner.idle();
  t.is(await rig.serving('web'), (await rig.store.getApp(NS, 'web'))!.status.run!.revision);
  t.is(github.calls.length, 0);
});

test('GitHub App credentials fetch an installation token and post with it', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const { rig, github } = await rigWithGitHub(t, { auth: { token: undefined, appId: 12345, privateKey, installationId: 42 } as never });
  await rig.push();
  await rig.addApp('web');
  await rig.watcher.check(NS, 'web');
  await rig.runner.idle();
  await eventually(() => statuses(github).length >= 2, 'two statuses');
  t.deepEqual(github.calls.filter((c) => c.path.startsWith('/app/')).map((c) => c.path), ['/app/installations/42/access_tokens']);
  t.regex(github.calls[0]!.authorization ?? '', /^bearer /i, 'the token request is signed with the app JWT');
  t.is(statuses(github)[0]!.authorization, `token ${FAKE_INSTALLATION_TOKEN}`);
});

test('the GitHub host of an API URL', (t) => {
  t.is(githubHostOf(undefined), 'github.com');
  t.is(githubHostOf('https://api.github.com'), 'github.com');
  t.is(githubHostOf('https://ghe.example.com/api/v3'), 'ghe.example.com');
});
