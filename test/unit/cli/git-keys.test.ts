import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_HOST_KEY, runMain, startFakeApi, type FakeApi } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
const servers: FakeApi[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function setup() {
  const api = await startFakeApi();
  servers.push(api);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-keys-'));
  dirs.push(dir);
  return { api, dir, env: { SLIPWAY_URL: api.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: 'admin-password', SLIPWAY_CONFIG_DIR: dir } };
}

test('git-keys add generates by default and says where to paste the public key', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['git-keys', 'add', 'github.com', '--name', 'api'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(api.requests.at(-1)?.json, { host: 'github.com', name: 'api' });
  t.regex(run.stdout, /ssh-ed25519 AAAAfake slipway-api/);
  t.regex(run.stdout, /Settings → Deploy keys/);
  t.regex(run.stdout, /Allow write access" off/);
});

test('git-keys add --private-key sends the file; --generate with it is a usage error', async (t) => {
  const { api, dir, env } = await setup();
  await writeFile(join(dir, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nxyz\n-----END OPENSSH PRIVATE KEY-----\n');
  const run = await runMain(['git-keys', 'add', 'git.example.com:2222', '--private-key', join(dir, 'id')], env, dir);
  t.is(run.code, 0, run.stderr);
  t.like(api.requests.at(-1)?.json, { host: 'git.example.com:2222', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nxyz\n-----END OPENSSH PRIVATE KEY-----\n' });
  t.false(run.stdout.includes('xyz'));
  const both = await runMain(['git-keys', 'add', 'x.com', '--generate', '--private-key', join(dir, 'id')], env, dir);
  t.is(both.code, 2);
  const missing = await runMain(['git-keys', 'add', 'x.com', '--private-key', join(dir, 'nope')], env, dir);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /cannot read .*nope: ENOENT/);
});

test('git-keys list shows a table, remove deletes, and a missing name is an error', async (t) => {
  const { dir, env } = await setup();
  t.is((await runMain(['git-keys', 'list'], env, dir)).stdout.trim(), 'No deploy keys. Add one with: slipway git-keys add github.com');
  await runMain(['git-keys', 'add', 'github.com', '--name', 'api'], env, dir);
  const list = await runMain(['git-keys', 'list'], env, dir);
  const lines = list.stdout.trim().split('\n');
  t.regex(lines[0]!, /^NAME\s+HOST\s+TYPE\s+FINGERPRINT\s+CREATED$/);
  t.regex(lines[1]!, /^api\s+github\.com\s+ssh-ed25519\s+SHA256:fake\s+2026-/);
  t.is((await runMain(['git-keys', 'remove', 'api'], env, dir)).code, 0);
  const again = await runMain(['git-keys', 'remove', 'api'], env, dir);
  t.is(again.code, 1);
  t.regex(again.stderr, /git_key_not_found/);
});

test('git-keys trust without --key asks on a terminal, and trusts only on yes', async (t) => {
  const { api, dir, env } = await setup();
  const questions: string[] = [];
  const no = await runMain(['git-keys', 'trust', 'git.example.com:2222'], env, dir, { confirm: async (q) => { questions.push(q); return false; } });
  t.is(no.code, 1);
  t.regex(no.stderr, new RegExp(`ssh-ed25519 ${FAKE_HOST_KEY.fingerprint.replace(/[+/]/g, '\\$&')}`));
  t.regex(no.stderr, /not_confirmed/);
  t.deepEqual(questions, ['Trust this key for [git.example.com]:2222? [y/N] ']);
  t.false(api.requests.some((r) => r.method === 'POST' && (r.json as { key?: string }).key !== undefined), 'nothing trusted');
  const yes = await runMain(['git-keys', 'trust', 'git.example.com:2222'], env, dir, { confirm: async () => true });
  t.is(yes.code, 0, yes.stderr);
  t.deepEqual(api.requests.at(-1)?.json, { host: 'git.example.com', port: 2222, key: FAKE_HOST_KEY.key });
  t.regex(yes.stdout, /Trusted ssh-ed25519 SHA256:\+DiY3.* for \[git\.example\.com\]:2222/);
  const already = await runMain(['git-keys', 'trust', 'git.example.com', '--port', '2222'], env, dir, { confirm: async () => t.fail('not asked') as never });
  t.regex(already.stdout, /trusted already/);
});

test('git-keys trust without a terminal needs --yes or --key; never trusts silently', async (t) => {
  const { api, dir, env } = await setup();
  const refused = await runMain(['git-keys', 'trust', 'git.example.com'], env, dir);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /confirmation_required/);
  t.regex(refused.stderr, /--yes/);
  t.is((await runMain(['git-keys', 'hosts', '-o', 'json'], env, dir)).stdout.trim(), '[]');
  const yes = await runMain(['git-keys', 'trust', 'git.example.com', '--yes'], env, dir);
  t.is(yes.code, 0, yes.stderr);
  const keyed = await runMain(['git-keys', 'trust', '[git.example.com]:2200', '--key', `git.example.com ${FAKE_HOST_KEY.key}`], env, dir);
  t.is(keyed.code, 0, keyed.stderr);
  t.deepEqual(api.requests.at(-1)?.json, { host: 'git.example.com', port: 2200, key: FAKE_HOST_KEY.key });
  const hosts = await runMain(['git-keys', 'hosts'], env, dir);
  t.regex(hosts.stdout, /^HOST\s+TYPE\s+FINGERPRINT\s+SOURCE\ngit\.example\.com\s+ssh-ed25519\s+SHA256:\+DiY3\S+\s+trusted/);
});

test('push takes SSH URLs from --git and from slipway.yml as they are', async (t) => {
  const { api, dir, env } = await setup();
  const flag = await runMain(['push', '--name', 'api', '--git', 'git@github.com:org/api.git,main', '--no-deploy'], env, dir);
  t.is(flag.code, 0, flag.stderr);
  t.like(api.requests.find((r) => r.path.endsWith('/import-git'))?.json, { giturl: 'git@github.com:org/api.git', gitrev: 'main' });
  await writeFile(join(dir, 'slipway.yml'), 'name: web\norigin:\n  git:\n    url: ssh://git@git.example.com:2222/org/web.git\n    revision: main\n');
  const manifest = await runMain(['push', '--no-deploy'], env, dir);
  t.is(manifest.code, 0, manifest.stderr);
  t.like(api.requests.filter((r) => r.path.endsWith('/import-git')).at(-1)?.json, { giturl: 'ssh://git@git.example.com:2222/org/web.git', gitrev: 'main' });
});
