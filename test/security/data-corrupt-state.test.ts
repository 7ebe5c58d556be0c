/**
 * Issue 9, item 8: one bad state file must not stop the server. Against the real
 * `slipway server` process: a truncated app file is moved aside as `.corrupt`, the
 * server starts, the other apps are fine and the bad one is listed as needing
 * attention, naming the moved file. A bad secrets.json is moved aside too; a bad users
 * file stops the start with a message naming it.
 */
import test from 'ava';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const PASSWORD = 'data-corrupt-password';
const auth = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const env = (dir: string) => ({ SLIPWAY_DATA_DIR: dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_RUNTIME: 'none' });

async function api(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() as any };
}

test('a truncated app file is moved aside; the server starts, the others are fine, the app is reported', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-data-corrupt-');
  t.teardown(cleanup);
  const first = await startServerProcess(env(dir));
  for (const name of ['good', 'bad']) t.is((await api(first.url, 'POST', '/api/v1/namespaces/workspace/applications', { name })).status, 201);
  await first.stop();

  const apps = join(dir, 'state', 'namespaces', 'workspace', 'apps');
  await truncate(join(apps, 'bad.json'), 20);
  const server = await startServerProcess(env(dir));
  t.teardown(() => server.stop());

  const list = await api(server.url, 'GET', '/api/v1/namespaces/workspace/applications');
  t.is(list.status, 200);
  t.deepEqual(list.body.map((a: any) => a.metadata.name), ['bad', 'good']);
  const ready = list.body[0].status.conditions.find((c: any) => c.type === 'Ready');
  t.like(ready, { status: 'False', reason: 'StateCorrupt' });
  t.true(ready.message.includes(join(apps, 'bad.json.corrupt')), ready.message);
  t.deepEqual((await readdir(apps)).sort(), ['bad.json.corrupt', 'good.json']);
  t.is((await readFile(join(apps, 'bad.json.corrupt'))).length, 20, 'the bad content is kept');
  t.regex(server.stdout(), /bad\.json is not valid.*moved it aside to .*bad\.json\.corrupt/);

  // The good app still changes; the bad one says what to do instead of a 500.
  t.is((await api(server.url, 'PATCH', '/api/v1/namespaces/workspace/applications/good', { configuration: { instances: 2 } })).status, 200);
  const update = await api(server.url, 'PATCH', '/api/v1/namespaces/workspace/applications/bad', { configuration: { instances: 2 } });
  t.is(update.status, 409);
  t.is(update.body.code, 'state_corrupt');

  // What `slipway apps list` shows.
  const home = await makeTempDir('slipway-data-corrupt-home-');
  t.teardown(home.cleanup);
  const cliEnv = { HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'slipway') };
  t.is((await runCli(['login', server.url, '--user', 'admin', '--password', PASSWORD], cliEnv)).code, 0);
  const shown = await runCli(['apps', 'list'], cliEnv);
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, /^bad\s.*\bcorrupt\b/m);
  t.true(shown.stdout.includes('bad.json.corrupt'), shown.stdout);

  // Deleting the app is how its owner clears it.
  t.is((await api(server.url, 'DELETE', '/api/v1/namespaces/workspace/applications/bad')).status, 200);
  t.deepEqual((await api(server.url, 'GET', '/api/v1/namespaces/workspace/applications')).body.map((a: any) => a.metadata.name), ['good']);
});

test('a truncated secrets.json is moved aside and the server starts', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-data-corrupt-');
  t.teardown(cleanup);
  await writeFile(join(dir, 'secrets.json'), '{"workspace/web": {"webh');
  const server = await startServerProcess(env(dir));
  t.teardown(() => server.stop());
  t.is((await api(server.url, 'POST', '/api/v1/namespaces/workspace/applications', { name: 'web' })).status, 201);
  t.is((await api(server.url, 'DELETE', '/api/v1/namespaces/workspace/applications/web')).status, 200);
  t.true((await readdir(dir)).includes('secrets.json.corrupt'));
  t.regex(server.stdout(), /secrets\.json is not valid/);
});

test('a truncated users file stops the start with a message naming it', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-data-corrupt-');
  t.teardown(cleanup);
  await writeFile(join(dir, 'users.json'), '{"users": [');
  const error = await t.throwsAsync(startServerProcess(env(dir)));
  t.true(error!.message.includes(`users file ${join(dir, 'users.json')} is not valid JSON`), error!.message);
});
