import test from 'ava';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCredentials, settingsPath, DEFAULT_URL } from '../../../cli/settings-file.ts';
import { runMain, startFakeApi, type FakeApi } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
const servers: FakeApi[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function setup(): Promise<{ api: FakeApi; dir: string; env: Record<string, string> }> {
  const api = await startFakeApi({ users: { admin: 'admin-password', dev: 'dev-password' } });
  servers.push(api);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-login-'));
  dirs.push(dir);
  return { api, dir, env: { SLIPWAY_CONFIG_DIR: join(dir, 'config') } };
}

test('login checks the credentials and stores them with mode 0600', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['login', `${api.url}/`, '--user', 'admin', '--password', 'admin-password'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, new RegExp(`Logged in to ${api.url} as admin`));
  t.false(run.stdout.includes('admin-password'), 'the password is never printed');
  const file = join(dir, 'config', 'config.json');
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.deepEqual(JSON.parse(await readFile(file, 'utf8')), { url: api.url, user: 'admin', password: 'admin-password' });
  t.like(api.requests[0], { method: 'GET', path: '/api/v1/info', user: 'admin' });

  // Later commands use the stored login.
  const list = await runMain(['namespaces', 'list', '-o', 'json'], env, dir);
  t.is(list.code, 0, list.stderr);
  t.deepEqual(JSON.parse(list.stdout).map((n: { name: string }) => n.name), ['workspace']);
  t.is(api.requests.at(-1)!.user, 'admin');
});

test('login --output json prints no password', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['login', api.url, '--user', 'admin', '--password', 'admin-password', '-o', 'json'], env, dir);
  t.is(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  t.like(json, { url: api.url, user: 'admin', runtime: 'none' });
  t.false(run.stdout.includes('admin-password'));
});

test('login with a wrong password fails clearly and stores nothing', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['login', api.url, '--user', 'admin', '--password', 'wrong-secret'], env, dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /refused user "admin": wrong user name or password \(unauthorized\)/);
  t.false(run.stderr.includes('wrong-secret'));
  await t.throwsAsync(stat(join(dir, 'config', 'config.json')));
});

test('login refuses a URL with credentials in it and a missing password', async (t) => {
  const { api, dir, env } = await setup();
  const withUserinfo = await runMain(['login', api.url.replace('http://', 'http://admin:admin-password@'), '--user', 'admin', '--password', 'x'], env, dir);
  t.is(withUserinfo.code, 2);
  t.regex(withUserinfo.stderr, /must not hold credentials/);
  t.false(withUserinfo.stderr.includes('admin-password'));
  const noPassword = await runMain(['login', api.url, '--user', 'admin'], env, dir);
  t.is(noPassword.code, 2);
  t.regex(noPassword.stderr, /--password/);
  t.is(api.requests.length, 0);
});

test('SLIPWAY_USER and SLIPWAY_PASSWORD override the stored login', async (t) => {
  const { api, dir, env } = await setup();
  t.is((await runMain(['login', api.url, '--user', 'admin', '--password', 'admin-password'], env, dir)).code, 0);
  const run = await runMain(['apps', 'list'], { ...env, SLIPWAY_USER: 'dev', SLIPWAY_PASSWORD: 'dev-password' }, dir);
  t.is(run.code, 0, run.stderr);
  t.is(api.requests.at(-1)!.user, 'dev');
  const flags = await runMain(['apps', 'list', '--user', 'admin', '--password', 'admin-password'], { ...env, SLIPWAY_USER: 'dev', SLIPWAY_PASSWORD: 'dev-password' }, dir);
  t.is(flags.code, 0, flags.stderr);
  t.is(api.requests.at(-1)!.user, 'admin', 'flags win over the environment');
});

test('wrong credentials on a later command say how to log in', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['apps', 'list'], { ...env, SLIPWAY_URL: api.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: 'nope-nope' }, dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /authentication required \(unauthorized\)/);
  t.regex(run.stderr, /hint: log in with `slipway login URL/);
  t.false(run.stderr.includes('nope-nope'));
});

const resolves = test.macro({
  exec(t, sources: Parameters<typeof resolveCredentials>[0], expected: ReturnType<typeof resolveCredentials>) {
    t.deepEqual(resolveCredentials(sources), expected);
  },
  title: (title) => `credentials: ${title}`,
});

const stored = { url: 'http://stored:1', user: 'stored-user', password: 'stored-pw' };
test('stored login when nothing overrides it', resolves, { flags: {}, env: {}, stored }, stored);
test('environment wins over the stored login', resolves,
  { flags: {}, env: { SLIPWAY_URL: 'http://env:2', SLIPWAY_USER: 'env-user', SLIPWAY_PASSWORD: 'env-pw' }, stored },
  { url: 'http://env:2', user: 'env-user', password: 'env-pw' });
test('flags win over the environment', resolves,
  { flags: { url: 'http://flag:3', user: 'flag-user' }, env: { SLIPWAY_URL: 'http://env:2', SLIPWAY_USER: 'env-user' }, stored },
  { url: 'http://flag:3', user: 'flag-user', password: undefined });
test('the stored password is never sent to another server', resolves,
  { flags: {}, env: { SLIPWAY_URL: 'http://elsewhere:9' }, stored },
  { url: 'http://elsewhere:9', user: undefined, password: undefined });
test('the stored login still applies when the URL names the same server', resolves,
  { flags: { url: 'http://stored:1/' }, env: {}, stored },
  { url: 'http://stored:1/', user: 'stored-user', password: 'stored-pw' });
test('empty variables are ignored', resolves, { flags: {}, env: { SLIPWAY_URL: '' }, stored }, stored);
test('a local server when nothing is configured', resolves, { flags: {}, env: {}, stored: undefined }, { url: DEFAULT_URL, user: undefined, password: undefined });

const locates = test.macro({
  exec(t, env: Record<string, string>, expected: string) {
    t.is(settingsPath(env, '/home/me'), expected);
  },
  title: (_title, env: Record<string, string>) => `settings file with ${JSON.stringify(env)}`,
});
test(locates, { SLIPWAY_CONFIG_DIR: '/etc/sw', XDG_CONFIG_HOME: '/x' }, '/etc/sw/config.json');
test(locates, { XDG_CONFIG_HOME: '/x' }, '/x/slipway/config.json');
test(locates, {}, '/home/me/.config/slipway/config.json');
