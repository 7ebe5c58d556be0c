/**
 * Issue 13.6: every line the server writes is one JSON log line at the right level (the
 * start banner on stderr aside): no stack when a client hangs up on a log follow, no
 * info line for an expected 409 on every re-push.
 */
import test from 'ava';
import { startRig, staticSite, ADMIN, type Rig } from '../helpers/security-rig.ts';

let rig: Rig;
test.before(async () => {
  rig = await startRig({ SLIPWAY_LOG_LEVEL: 'info' });
});
test.after.always(() => rig?.close());

test('a re-push and a follow the client hangs up on leave only JSON log lines, none for the expected 409', async (t) => {
  const run = await rig.deploy('workspace', 'web', staticSite('console'));
  t.is(run.phase, 'succeeded');
  // What `slipway push` does for an app that exists: create (409), then update.
  t.is((await rig.request('POST', '/api/v1/namespaces/workspace/applications', { name: 'web' })).status, 409);
  const hangUp = new AbortController();
  const follow = await fetch(`${rig.server.url}/api/v1/namespaces/workspace/applications/web/logs?follow=true`, {
    headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` }, signal: hangUp.signal,
  });
  await follow.body!.getReader().read();
  hangUp.abort();
  // A request after the hang-up, so that anything the hang-up logged is out before we read.
  t.is((await rig.request('GET', '/api/v1/info')).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 300));

  const stderr = rig.server.stderr();
  t.notRegex(stderr, /^\s+at |Error \[|\[Cron\]/m, `stderr:\n${stderr}`);
  const lines = rig.server.stdout().split('\n').filter(Boolean);
  for (const line of lines) t.notThrows(() => JSON.parse(line), line);
  t.false(lines.some((line) => line.includes('"app_exists"')), 'the expected 409 is not logged at info');
});
