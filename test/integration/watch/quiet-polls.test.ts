/**
 * Issue 12: a poll that finds nothing new costs one ref listing and nothing else — no
 * fetch and no state write (10,000 apps polled every minute would otherwise write 167
 * App statuses a second). What changes is still written at once.
 */
import test from 'ava';
import { NS, startWatchRig } from './watch-rig.ts';

test('polls of an unchanged branch fetch nothing and write nothing; a moved head is written at once', async (t) => {
  const rig = await startWatchRig();
  t.teardown(() => rig.close());
  const first = await rig.push();
  await rig.addApp('web');
  await rig.watcher.check(NS, 'web');
  await rig.runner.idle();
  t.is(await rig.serving('web'), first);
  await rig.watcher.check(NS, 'web', 'poll');

  const version = (await rig.store.getApp(NS, 'web'))!.metadata.resourceVersion;
  const fetches = rig.fetches();
  const requests = rig.server.requests.length;
  for (let i = 0; i < 3; i += 1) t.like(await rig.watcher.check(NS, 'web', 'poll'), { head: first, failures: 0 });
  t.is(rig.fetches(), fetches, 'no fetch');
  t.is(rig.server.requests.length - requests, 3, 'one ref listing per poll');
  t.is((await rig.store.getApp(NS, 'web'))!.metadata.resourceVersion, version, 'no state write');

  const second = await rig.push();
  await rig.watcher.check(NS, 'web', 'poll');
  await rig.runner.idle();
  const app = await rig.store.getApp(NS, 'web') as any;
  t.is(app.status.watch.head, second);
  t.is(app.status.release.revision, second);
});

test('a failing poll is written at once, and so is its recovery', async (t) => {
  const rig = await startWatchRig();
  t.teardown(() => rig.close());
  await rig.push();
  await rig.addApp('web', { url: 'http://127.0.0.1:1/acme/web.git' });
  await rig.watcher.check(NS, 'web', 'poll');
  let app = await rig.store.getApp(NS, 'web') as any;
  t.like(app.status.watch, { failures: 1, error: { code: 'git_unreachable' } });
  await rig.watcher.check(NS, 'web', 'poll');
  app = await rig.store.getApp(NS, 'web') as any;
  t.is(app.status.watch.failures, 2);

  await rig.store.updateApp(NS, 'web', (a) => ({ ...a, spec: { ...a.spec, origin: { kind: 'git', url: rig.repoUrl, branch: 'main', watch: true } } }));
  await rig.watcher.refresh(NS, 'web');
  await rig.watcher.check(NS, 'web', 'poll');
  app = await rig.store.getApp(NS, 'web') as any;
  t.is(app.status.watch.failures, 0);
  t.is(app.status.watch.error, undefined);
  await rig.runner.idle();
});
