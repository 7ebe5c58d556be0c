/**
 * Repository watching against a real git server: a check deploys the branch head once,
 * lists refs without fetching when nothing changed, and no burst, replay or race of
 * hints and polls deploys an older commit or the same one twice.
 */
import test from 'ava';
import type { RefreshHint } from '../../../core/repo-url.ts';
import { eventually } from '../../helpers/app-request.ts';
import { NS, startWatchRig } from './watch-rig.ts';

const hintFor = (repoUrl: string, after?: string): RefreshHint =>
  ({ provider: 'github', repositoryUrls: [repoUrl.replace(/\.git$/, '/'), 'git@example.com:other/repo.git'], branch: 'main', after });

test('a push then a check deploys the new head once; a check with nothing new lists refs and fetches nothing', async (t) => {
  const rig = await startWatchRig();
  t.teardown(() => rig.close());
  const first = await rig.push();
  await rig.addApp('web');
  t.like(await rig.watcher.check(NS, 'web'), { head: first, failures: 0 });
  await rig.runner.idle();
  t.is(await rig.serving('web'), first);

  const second = await rig.push();
  await rig.watcher.check(NS, 'web', 'webhook');
  await rig.runner.idle();
  t.is(await rig.serving('web'), second);
  t.is(rig.runtime.staged.length, 2);

  const fetches = rig.fetches();
  const runs = (await rig.store.getApp(NS, 'web'))!.status.runs!.length;
  const requests = rig.server.requests.length;
  const status = await rig.watcher.check(NS, 'web', 'poll');
  await rig.runner.idle();
  t.like(status, { head: second, failures: 0 });
  t.is(rig.fetches(), fetches, 'no fetch');
  t.deepEqual(rig.server.requests.slice(requests).map((r) => r.replace(/\?.*/, '')), ['GET /acme/web.git/info/refs'], 'one ref listing');
  t.is(rig.runtime.staged.length, 2);
  const app = await rig.store.getApp(NS, 'web') as any;
  t.is(app.status.runs.length, runs, 'no run');
  t.like(app.status.watch, { head: second, failures: 0 });
  t.truthy(app.status.watch.lastCheck);
});

test('100 hints at once, with a poll racing them, deploy once', async (t) => {
  const rig = await startWatchRig();
  t.teardown(() => rig.close());
  const head = await rig.push();
  await rig.addApp('web');
  await rig.addApp('other-branch', { branch: 'develop' });
  const answers = Array.from({ length: 100 }, () => rig.watcher.hint(hintFor(rig.repoUrl, head)));
  const poll = rig.watcher.check(NS, 'web', 'poll');
  t.deepEqual(answers[0], { matched: 1 }, 'the app on another branch does not match');
  await poll;
  await rig.watcher.idle();
  await rig.runner.idle();
  t.is(await rig.serving('web'), head);
  t.is(rig.runtime.staged.length, 1);
  t.true(rig.counts.resolves <= 3, `${rig.counts.resolves} ref listings`);
  t.deepEqual(rig.watcher.hint({ provider: 'github', repositoryUrls: ['https://github.com/acme/web'], branch: 'main' }), { matched: 0 });
});

test('a replayed hint for an older commit after a newer one keeps the newer', async (t) => {
  const rig = await startWatchRig();
  t.teardown(() => rig.close());
  const older = await rig.push();
  await rig.addApp('web');
  rig.watcher.hint(hintFor(rig.repoUrl, older));
  await rig.watcher.idle();
  await rig.runner.idle();
  const newer = await rig.push();
  rig.watcher.hint(hintFor(rig.repoUrl, newer));
  await rig.watcher.idle();
  await rig.runner.idle();
  rig.watcher.hint(hintFor(rig.repoUrl, older));
  await rig.watcher.idle();
  await rig.runner.idle();
  t.is(await rig.serving('web'), newer);
  t.is(rig.runtime.staged.length, 2);
});

test('20 pushes in quick succession, each with a hint, end with the last commit and at most 3 stages', async (t) => {
  const rig = await startWatchRig();
  t.teardown(() => rig.close());
  await rig.push();
  await rig.addApp('web');
  // Stages are held while the burst happens, as a real build would take longer than a push.
  rig.runtime.holdStages();
  let last = '';
  for (let i = 0; i < 20; i += 1) {
    last = await rig.push();
    rig.watcher.hint(hintFor(rig.repoUrl, last));
  }
  await rig.watcher.idle();
  rig.runtime.openGate();
  await rig.runner.idle();
  t.is(await rig.serving('web'), last);
  t.true(rig.runtime.staged.length <= 3, `${rig.runtime.staged.length} stages`);
});

test('polling picks up a push within the interval and its jitter', async (t) => {
  const rig = await startWatchRig({ watcher: { minIntervalMs: 1_000 } });
  t.teardown(() => rig.close());
  const first = await rig.push();
  await rig.addApp('web', { interval: '2s' });
  await rig.watcher.start();
  t.is(rig.watcher.watched, 1);
  await eventually(async () => (await rig.serving('web')) === first, 'the first poll to deploy', 8_000);
  const second = await rig.push();
  const pushed = Date.now();
  // 2 s + 10% jitter, + 1 s tick resolution, + the check and the (fake) deploy.
  await eventually(async () => (await rig.serving('web')) === second, 'the poll to deploy the push', 6_000);
  t.log(`picked up after ${Date.now() - pushed} ms`);
  const app = await rig.store.getApp(NS, 'web') as any;
  t.truthy(app.status.watch.nextCheck);
  await rig.watcher.stop();
});

test('an unreachable remote backs off, shows the error, and recovers', async (t) => {
  const rig = await startWatchRig({ watcher: { random: () => 0.5 } });
  t.teardown(() => rig.close());
  await rig.push();
  await rig.addApp('web', { url: 'http://127.0.0.1:1/acme/web.git', interval: '1m' });
  await rig.watcher.start();
  const delays: number[] = [];
  for (let i = 1; i <= 5; i += 1) {
    const status = (await rig.watcher.check(NS, 'web', 'poll'))!;
    t.like(status, { failures: i, error: { code: 'git_unreachable' } });
    delays.push(Math.round((Date.parse(status.nextCheck!) - Date.parse(status.lastCheck)) / 60_000));
  }
  t.deepEqual(delays, [2, 4, 8, 10, 10]);
  const app = await rig.store.getApp(NS, 'web') as any;
  t.like(app.status.watch, { failures: 5, error: { code: 'git_unreachable' } });
  t.notRegex(app.status.watch.error.message, /stack|at /);

  await rig.store.updateApp(NS, 'web', (a) => ({ ...a, spec: { ...a.spec, origin: { kind: 'git', url: rig.repoUrl, branch: 'main', watch: true, interval: '1m' } } }));
  await rig.watcher.refresh(NS, 'web');
  const healed = (await rig.watcher.check(NS, 'web', 'poll'))!;
  t.is(healed.failures, 0);
  t.is(healed.error, undefined);
  t.is(Math.round((Date.parse(healed.nextCheck!) - Date.parse(healed.lastCheck)) / 60_000), 1);
  await rig.runner.idle();
});

test('turning watching off or deleting the app removes it from the watch list', async (t) => {
  const rig = await startWatchRig();
  t.teardown(() => rig.close());
  await rig.push();
  await rig.addApp('web');
  await rig.addApp('api');
  t.is(rig.watcher.watched, 2);
  await rig.store.updateApp(NS, 'web', (a) => ({ ...a, spec: { ...a.spec, origin: { kind: 'git', url: rig.repoUrl, branch: 'main', watch: false } } }));
  await rig.watcher.refresh(NS, 'web');
  await rig.store.deleteApp(NS, 'api');
  await rig.watcher.refresh(NS, 'api');
  t.is(rig.watcher.watched, 0);
  t.deepEqual(rig.watcher.hint(hintFor(rig.repoUrl)), { matched: 0 });
  t.is(await rig.watcher.check(NS, 'web'), undefined);
  t.is(rig.runtime.staged.length, 0);
});
