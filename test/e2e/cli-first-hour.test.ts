/**
 * The first hour with Slipway (issue 13), through the real CLI and a real `slipway server`:
 * pushes that fail before anything is stored leave no app behind, an empty folder is
 * refused before any request, and `app env` sets, lists and unsets variables.
 */
import test from 'ava';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const PASSWORD = 'e2e-admin-password';
let server: ServerProcess;
let home: string;
const cleanups: (() => Promise<unknown>)[] = [];

test.before(async () => {
  const data = await makeTempDir('slipway-e2e-data-');
  const h = await makeTempDir('slipway-e2e-home-');
  cleanups.push(data.cleanup, h.cleanup);
  home = h.dir;
  server = await startServerProcess({ SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1', SLIPWAY_RUNTIME: 'none' });
});
test.after.always(async () => {
  await server?.stop();
  await Promise.all(cleanups.map((c) => c()));
});

const env = () => ({ HOME: home, SLIPWAY_CONFIG_DIR: join(home, 'slipway'), SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD });

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

async function appNames(namespace = 'workspace'): Promise<string[]> {
  const list = await runCli(['apps', 'list', '-n', namespace, '-o', 'json'], env());
  if (list.code !== 0) throw new Error(list.stderr);
  return (JSON.parse(list.stdout) as Array<{ metadata: { name: string } }>).map((a) => a.metadata.name);
}

test.serial('a first push from an unreachable git host fails and leaves no app', async (t) => {
  const push = await runCli(['push', '--name', 'nowhere', '--git', `http://127.0.0.1:${await closedPort()}/x.git,main`], env());
  t.is(push.code, 1, push.stderr);
  t.regex(push.stderr, /^error: /m);
  t.notRegex(push.stderr, /warning: could not delete/);
  t.false((await appNames()).includes('nowhere'));
});

test.serial('a push of an empty folder is refused before any request and leaves no app', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-e2e-src-');
  t.teardown(cleanup);
  await mkdir(join(dir, 'node_modules'));
  await writeFile(join(dir, 'node_modules', 'x.js'), '1');
  await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
  const push = await runCli(['push', '--name', 'hollow', '--path', dir], env());
  t.is(push.code, 2, push.stderr);
  t.regex(push.stderr, /holds only ignored files \(1 ignored by \.gitignore: node_modules\/\).*\(empty_source\)/);
  t.false((await appNames()).includes('hollow'));
});

test.serial('app env set, list and unset change the app the server holds, and say when it takes effect', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-e2e-src-');
  t.teardown(cleanup);
  await writeFile(join(dir, 'index.html'), '<h1>hi</h1>\n');
  t.is((await runCli(['push', '--name', 'envy', '--path', dir], env())).code, 0);
  const set = await runCli(['app', 'env', 'set', 'envy', 'DATABASE_URL=postgres://db/app?a=b', 'MODE=prod'], env());
  t.is(set.code, 0, set.stderr);
  t.regex(set.stdout, /Set DATABASE_URL, MODE on envy \(namespace workspace\)\.\nIt takes effect at the next deploy/);
  const unset = await runCli(['app', 'env', 'unset', 'envy', 'MODE'], env());
  t.is(unset.code, 0, unset.stderr);
  const show = await runCli(['apps', 'show', 'envy', '-o', 'json'], env());
  t.deepEqual(JSON.parse(show.stdout).spec.env, { DATABASE_URL: 'postgres://db/app?a=b' });
  const list = await runCli(['app', 'env', 'list', 'envy'], env());
  t.regex(list.stdout, /^NAME\s+VALUE\nDATABASE_URL\s+\*\*\*\*\n/);
  const revealed = await runCli(['app', 'env', 'list', 'envy', '--reveal', '-o', 'json'], env());
  t.deepEqual(JSON.parse(revealed.stdout).variables, [{ name: 'DATABASE_URL', value: 'postgres://db/app?a=b' }]);
});
