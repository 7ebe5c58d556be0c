/**
 * The deploy key and known host routes on a real server: admin-only, public keys only,
 * and a host key read from a real sshd for confirmation, never trusted by that alone.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, basic, type TestServer } from '../../helpers/test-server.ts';
import { startSshHost, type SshHost } from '../../helpers/ssh-host.ts';
import { hashPassword } from '../../../controller/auth/password-hash.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startServer } from '../../../controller/main.ts';
import { parseConfig } from '../../../core/config.ts';
import type { Logger } from '../../../core/ports/logger.ts';

const run = promisify(execFile);
let server: TestServer;
let sshd: SshHost;
const dev = basic('dev', 'dev-password');
const cleanups: (() => Promise<void>)[] = [];

test.before(async () => {
  const users = await makeTempDir('slipway-users-');
  cleanups.push(users.cleanup);
  const usersFile = join(users.dir, 'users.json');
  await writeFile(usersFile, JSON.stringify({ users: [{ username: 'dev', passwordHash: await hashPassword('dev-password'), namespaces: ['workspace'] }] }));
  sshd = await startSshHost();
  server = await startTestServer({ SLIPWAY_USERS_FILE: usersFile, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1' });
});
test.after.always(async () => {
  await server?.close();
  await sshd?.close();
  await Promise.all(cleanups.map((c) => c()));
});

test.serial('a generated key: 201 with the public key, listed by fingerprint, stored 0600, removed', async (t) => {
  const created = await server.request('POST', '/api/v1/git-keys', { host: 'github.com', name: 'api-deploy' });
  t.is(created.status, 201);
  const key = await created.json() as Record<string, string>;
  t.like(key, { name: 'api-deploy', host: 'github.com', type: 'ssh-ed25519' });
  t.regex(key.publicKey!, /^ssh-ed25519 \S+ slipway-api-deploy$/);
  t.deepEqual(Object.keys(key).sort(), ['createdAt', 'fingerprint', 'host', 'name', 'publicKey', 'type']);
  const list = await server.request('GET', '/api/v1/git-keys');
  t.deepEqual(await list.json(), [key]);
  t.is((await stat(join(server.dataDir, 'git-keys.json'))).mode & 0o777, 0o600);
  t.is((await server.request('DELETE', '/api/v1/git-keys/api-deploy')).status, 200);
  const again = await server.request('DELETE', '/api/v1/git-keys/api-deploy');
  t.is(again.status, 404);
  t.like(await again.json(), { code: 'git_key_not_found' });
});

test.serial('an imported private key never comes back: not in answers, errors or lists', async (t) => {
  const dir = (await makeTempDir('slipway-key-')); cleanups.push(dir.cleanup);
  const file = join(dir.dir, 'id');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const privateKey = await readFile(file, 'utf8');
  const secretPart = privateKey.split('\n')[2]!;
  const answers: string[] = [];
  const created = await server.request('POST', '/api/v1/git-keys', { host: '*.example.com', name: 'wide', privateKey });
  t.is(created.status, 201);
  answers.push(await created.text());
  const duplicate = await server.request('POST', '/api/v1/git-keys', { host: '*.example.com', name: 'wide', privateKey });
  t.is(duplicate.status, 409);
  answers.push(await duplicate.text());
  const broken = await server.request('POST', '/api/v1/git-keys', { host: 'x.example.com', privateKey: privateKey.replace(/\n[^\n]+\n-----END/, '\nAAAA\n-----END') });
  t.is(broken.status, 400);
  answers.push(await broken.text());
  const badHost = await server.request('POST', '/api/v1/git-keys', { host: 'not a host', privateKey });
  t.is(badHost.status, 400);
  answers.push(await badHost.text());
  answers.push(await (await server.request('GET', '/api/v1/git-keys')).text());
  for (const answer of answers) t.false(answer.includes(secretPart) || answer.includes('-----BEGIN'), answer);
  t.is((await server.request('DELETE', '/api/v1/git-keys/wide')).status, 200);
});

test.serial('an encrypted key is refused with a clear message', async (t) => {
  const dir = (await makeTempDir('slipway-key-')); cleanups.push(dir.cleanup);
  const file = join(dir.dir, 'id');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'passphrase', '-f', file]);
  const response = await server.request('POST', '/api/v1/git-keys', { host: 'github.com', privateKey: await readFile(file, 'utf8') });
  t.is(response.status, 400);
  const problem = await response.json() as { code: string; detail: string };
  t.is(problem.code, 'git_key_invalid');
  t.regex(problem.detail, /encrypted with a passphrase/);
});

test.serial('a host key is read from the server and shown untrusted; trusted only when sent back; then removable', async (t) => {
  const host = `[127.0.0.1]:${sshd.port}`;
  const scanned = await server.request('POST', '/api/v1/git-known-hosts', { host: '127.0.0.1', port: sshd.port });
  t.is(scanned.status, 200);
  t.deepEqual(await scanned.json(), { host, key: sshd.hostKey, fingerprint: sshd.fingerprint, trusted: false });
  const before = await (await server.request('GET', '/api/v1/git-known-hosts')).json() as { host: string }[];
  t.false(before.some((k) => k.host === host), 'reading a key trusts nothing');
  const trusted = await server.request('POST', '/api/v1/git-known-hosts', { host, key: sshd.hostKey });
  t.is(trusted.status, 201);
  t.deepEqual(await trusted.json(), { host, key: sshd.hostKey, fingerprint: sshd.fingerprint, source: 'trusted' });
  const rescanned = await server.request('POST', '/api/v1/git-known-hosts', { host });
  t.like(await rescanned.json(), { trusted: true, source: 'trusted' });
  t.is((await server.request('DELETE', `/api/v1/git-known-hosts/${encodeURIComponent(host)}`)).status, 200);
  const builtin = await server.request('DELETE', '/api/v1/git-known-hosts/github.com');
  t.is(builtin.status, 404);
  const problem = await builtin.json() as { code: string; detail: string };
  t.is(problem.code, 'git_known_host_not_found');
  t.regex(problem.detail, /built in/);
});

test('reading a host key goes through the git address guard', async (t) => {
  const guarded = await startTestServer();
  try {
    const response = await guarded.request('POST', '/api/v1/git-known-hosts', { host: '127.0.0.1', port: sshd.port });
    t.is(response.status, 403);
    t.like(await response.json(), { code: 'git_address_refused' });
  } finally {
    await guarded.close();
  }
});

test('the built-in host keys are listed', async (t) => {
  const list = await (await server.request('GET', '/api/v1/git-known-hosts')).json() as { host: string; source: string }[];
  t.deepEqual([...new Set(list.filter((k) => k.source === 'builtin').map((k) => k.host))], ['github.com', 'gitlab.com', 'bitbucket.org']);
});

test('users without "*" get 403 on every route', async (t) => {
  for (const [method, path, body] of [['GET', '/api/v1/git-keys'], ['POST', '/api/v1/git-keys', { host: 'github.com' }], ['DELETE', '/api/v1/git-keys/x'],
    ['GET', '/api/v1/git-known-hosts'], ['POST', '/api/v1/git-known-hosts', { host: 'github.com', key: 'x' }], ['DELETE', '/api/v1/git-known-hosts/github.com']] as const) {
    const response = await server.request(method, path, body, { auth: dev });
    t.is(response.status, 403, `${method} ${path}`);
    t.like(await response.json(), { code: 'forbidden' });
  }
});

test('bodies are validated: unknown fields and a bad port are refused', async (t) => {
  const extra = await server.request('POST', '/api/v1/git-keys', { host: 'github.com', passphrase: 'x' });
  t.is(extra.status, 400);
  const port = await server.request('POST', '/api/v1/git-known-hosts', { host: 'example.com', port: 70000 });
  t.is(port.status, 400);
  t.like(await port.json(), { code: 'invalid_request', data: { field: 'port' } });
});

test('the server log holds no private key, also when a key is refused', async (t) => {
  const lines: string[] = [];
  const log = (obj: object | string, msg?: string) => { lines.push(JSON.stringify(obj) + (msg ?? '')); };
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  const data = await makeTempDir('slipway-data-'); cleanups.push(data.cleanup);
  const running = await startServer(parseConfig({ SLIPWAY_PORT: '0', SLIPWAY_HOST: '127.0.0.1', SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: 'password-1', SLIPWAY_RUNTIME: 'none', SLIPWAY_LOG_LEVEL: 'debug' }), logger);
  try {
    const dir = (await makeTempDir('slipway-key-')); cleanups.push(dir.cleanup);
    const file = join(dir.dir, 'id');
    await run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', file]);
    const privateKey = await readFile(file, 'utf8');
    const post = (body: unknown) => fetch(`${running.url}/api/v1/git-keys`, { method: 'POST', headers: { authorization: basic('admin', 'password-1'), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    t.is((await post({ host: 'github.com', privateKey })).status, 201);
    t.is((await post({ host: 'gitlab.com', privateKey: privateKey.slice(0, 200) })).status, 400);
    t.is((await post({ host: 'gitlab.com', privateKey: `${privateKey}x`.repeat(20) })).status, 400);
    const broken = await fetch(`${running.url}/api/v1/git-keys`, { method: 'POST', headers: { authorization: basic('admin', 'password-1'), 'content-type': 'application/json' }, body: `{"host":"x","privateKey":"${privateKey.split('\n')[1]}` });
    t.is(broken.status, 400);
    t.true(lines.length > 0);
    for (const line of privateKey.split('\n').slice(1, -2)) t.false(lines.join('\n').includes(line.slice(0, 40)));
  } finally {
    await running.close();
  }
});
