import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiClient, type LogLine } from '../../../cli/api-client.ts';
import { appLogs } from '../../../cli/commands/app-logs.ts';
import { appRollback } from '../../../cli/commands/app-rollback.ts';
import type { NdjsonLine } from '../../../cli/ndjson-lines.ts';
import { runMain, startFakeApi, STAGE_LOG, type FakeApi } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
const servers: FakeApi[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fake API with a local runtime and `web` deployed `deploys` times (release 1…N). */
async function setup(deploys = 1): Promise<{ api: FakeApi; dir: string; env: Record<string, string> }> {
  const api = await startFakeApi({ runtime: 'local' });
  servers.push(api);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-app-'));
  dirs.push(dir);
  const env = { SLIPWAY_URL: api.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: 'admin-password', SLIPWAY_CONFIG_DIR: dir };
  await writeFile(join(dir, 'index.html'), 'hi');
  for (let i = 0; i < deploys; i += 1) {
    const run = await runMain(['push', '--name', 'web', '-o', 'json'], env, dir);
    if (run.code !== 0) throw new Error(run.stderr);
  }
  for (const [i, text] of ['listening on 8080', 'GET / 200', 'GET /x 404'].entries()) {
    api.appendLog('workspace', 'web', { time: `2026-01-01T00:00:0${i}.000Z`, stream: i === 2 ? 'stderr' : 'stdout', text, source: 'web-0' });
  }
  api.requests.length = 0;
  return { api, dir, env };
}

const client = (api: FakeApi) => createApiClient({ url: api.url, user: 'admin', password: 'admin-password' });

/** Waits until `check` holds, failing after a deadline. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('app logs prints time, source, stream and text; --tail asks for the last lines; json is the raw ndjson', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['app', 'logs', 'web'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, [
    '2026-01-01T00:00:00.000Z web-0 stdout listening on 8080',
    '2026-01-01T00:00:01.000Z web-0 stdout GET / 200',
    '2026-01-01T00:00:02.000Z web-0 stderr GET /x 404',
    '',
  ].join('\n'));
  t.is(api.requests.at(-1)!.search, '?follow=false');
  const tail = await runMain(['app', 'logs', 'web', '--tail', '1', '-o', 'json'], env, dir);
  t.is(tail.code, 0, tail.stderr);
  t.is(api.requests.at(-1)!.search, '?follow=false&tail=1');
  t.deepEqual(JSON.parse(tail.stdout), { time: '2026-01-01T00:00:02.000Z', stream: 'stderr', text: 'GET /x 404', source: 'web-0' });
  const bad = await runMain(['app', 'logs', 'web', '--tail', '-3'], env, dir);
  t.is(bad.code, 2);
});

test('app logs --follow prints new lines as they come and ends when the server closes the stream', async (t) => {
  const { api } = await setup();
  const seen: Array<NdjsonLine<LogLine>> = [];
  const following = appLogs({ namespace: 'workspace', name: 'web', follow: true, tail: 1 }, { api: client(api), onLine: (line) => { seen.push(line); } });
  await until(() => seen.length === 1 && api.followers() === 1, 'the tail and an open stream');
  api.appendLog('workspace', 'web', { time: 't', stream: 'stdout', text: 'GET /new 200', source: 'web-1' });
  await until(() => seen.length === 2, 'the new line');
  api.endLogStreams();
  t.deepEqual(await following, { lines: 2, interrupted: false });
  t.deepEqual(seen.map((l) => l.value.text), ['GET /x 404', 'GET /new 200']);
});

test('Ctrl-C ends app logs --follow cleanly', async (t) => {
  const { api } = await setup();
  const controller = new AbortController();
  let lines = 0;
  const following = appLogs({ namespace: 'workspace', name: 'web', follow: true }, { api: client(api), signal: controller.signal, onLine: () => { lines += 1; } });
  await until(() => lines === 3 && api.followers() === 1, 'the lines so far');
  controller.abort();
  t.deepEqual(await following, { lines: 3, interrupted: true });
});

test('app logs --staging prints the latest run\'s build output', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['app', 'logs', 'web', '--staging'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, STAGE_LOG.map((text) => `2026-01-01T00:00:00.000Z build stdout ${text}\n`).join(''));
  t.true(api.requests.some((r) => r.path === '/api/v1/namespaces/workspace/staging/stage-run-1/logs' && r.search === '?follow=false'));
  const follow = await runMain(['app', 'logs', 'web', '--staging', '--follow'], env, dir);
  t.is(follow.code, 0, 'the stage has ended, so following ends');
  const tail = await runMain(['app', 'logs', 'web', '--staging', '--tail', '2'], env, dir);
  t.is(tail.code, 2);
});

test('app logs --staging of an app never staged says how to deploy it', async (t) => {
  const { dir, env } = await setup(0);
  t.is((await runMain(['push', '--name', 'fresh', '--no-deploy'], env, dir)).code, 0);
  const run = await runMain(['app', 'logs', 'fresh', '--staging'], env, dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /error: application "fresh" has not been staged yet \(not_staged\)\nhint: deploy it with `slipway push --name fresh`/);
});

test('app restart restarts the instances', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['app', 'restart', 'web'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, 'Restarting application web in namespace workspace.\n');
  t.is(api.apps.get('workspace/web')!.status.runtime!.restarts, 1);
  const json = await runMain(['app', 'restart', 'web', '-o', 'json'], env, dir);
  t.deepEqual(JSON.parse(json.stdout), { restarted: 'web', namespace: 'workspace' });
  const missing = await runMain(['app', 'restart', 'ghost'], env, dir);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /\(app_not_found\)/);
});

test('app releases lists releases newest first and marks the current one', async (t) => {
  const { dir, env } = await setup(2);
  const run = await runMain(['app', 'releases', 'web'], env, dir);
  t.is(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  t.regex(lines[0]!, /^RELEASE\s+STAGE\s+REVISION\s+CREATED\s+SIZE\s+CURRENT$/);
  t.regex(lines[1]!, /^2\s+stage-run-2\s+-\s+\S+\s+3\.0 KiB\s+\*$/);
  t.regex(lines[2]!, /^1\s+stage-run-1\s+-\s+\S+\s+1\.5 KiB$/);
  const json = await runMain(['app', 'releases', 'web', '-o', 'json'], env, dir);
  t.deepEqual(JSON.parse(json.stdout).map((r: { number: number; current: boolean; sizeBytes: number }) => [r.number, r.current, r.sizeBytes]), [[2, true, 3072], [1, false, 1536]]);
  const { dir: dir0, env: env0 } = await setup(0);
  t.is((await runMain(['push', '--name', 'web', '--no-deploy'], env0, dir0)).code, 0);
  t.regex((await runMain(['app', 'releases', 'web'], env0, dir0)).stdout, /No releases of web yet/);
});

test('app rollback goes back to the previous release, or to --release N, and prints the URL', async (t) => {
  const { api, dir, env } = await setup(3);
  const run = await runMain(['app', 'rollback', 'web'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, 'Rolled back web to release 2:\n  http://web.localhost:8080/\n');
  t.regex(run.stderr, /pending…\ndeploying…\n/);
  t.deepEqual(api.requests.find((r) => r.path.endsWith('/rollback'))!.json, {});
  t.is(api.apps.get('workspace/web')!.status.release!.number, 2);
  const json = await runMain(['app', 'rollback', 'web', '--release', '3', '-o', 'json'], env, dir);
  t.is(json.code, 0, json.stderr);
  t.like(JSON.parse(json.stdout), { app: 'web', release: 3, urls: ['http://web.localhost:8080/'] });
  const missing = await runMain(['app', 'rollback', 'web', '--release', '9'], env, dir);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /release 9 of "web" does not exist \(release_not_found\)/);
  t.is((await runMain(['app', 'rollback', 'web', '--release', '0'], env, dir)).code, 2);
});

test('appRollback returns data for an injected client', async (t) => {
  const { api } = await setup(2);
  const err: string[] = [];
  const result = await appRollback({ namespace: 'workspace', name: 'web' }, { api: client(api), output: { out: () => {}, err: (s) => { err.push(s); } }, pollMs: 5 });
  t.deepEqual(result, { app: 'web', namespace: 'workspace', run: 'run-3', release: 1, urls: ['http://web.localhost:8080/'] });
  t.deepEqual(err, ['pending…', 'deploying…']);
});
