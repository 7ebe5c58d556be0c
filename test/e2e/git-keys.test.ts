/**
 * `slipway git-keys` as a user runs it (the CLI as a process) against a real server and a
 * real sshd: a generated key's public line is what ssh-keygen derives from the stored
 * private key, a host key is trusted only with --yes or --key, and no private key is printed.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../helpers/run-cli.ts';
import { startSshHost, type SshHost } from '../helpers/ssh-host.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
let server: TestServer;
let sshd: SshHost;
let env: Record<string, string>;
const cleanups: (() => Promise<void>)[] = [];

test.before(async () => {
  sshd = await startSshHost();
  server = await startTestServer({ SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1' });
  const home = await makeTempDir('slipway-home-');
  cleanups.push(home.cleanup);
  env = { HOME: home.dir, SLIPWAY_CONFIG_DIR: home.dir, SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: ADMIN_PASSWORD };
});
test.after.always(async () => {
  await server?.close();
  await sshd?.close();
  await Promise.all(cleanups.map((c) => c()));
});

test.serial('add, list and remove a generated key; the stored private key matches the printed public key', async (t) => {
  const added = await runCli(['git-keys', 'add', 'github.com', '--name', 'api', '-o', 'json'], env);
  t.is(added.code, 0, added.stderr);
  const key = JSON.parse(added.stdout) as { publicKey: string; fingerprint: string };
  const stored = JSON.parse(await readFile(join(server.dataDir, 'git-keys.json'), 'utf8')) as { keys: { privateKey: string }[] };
  const dir = await makeTempDir('slipway-key-');
  cleanups.push(dir.cleanup);
  await writeFile(join(dir.dir, 'id'), stored.keys[0]!.privateKey, { mode: 0o600 });
  const derived = (await run('ssh-keygen', ['-y', '-f', join(dir.dir, 'id')])).stdout.trim().split(' ').slice(0, 2).join(' ');
  t.is(derived, key.publicKey.split(' ').slice(0, 2).join(' '));
  const list = await runCli(['git-keys', 'list'], env);
  t.regex(list.stdout, new RegExp(`^api\\s+github\\.com\\s+ssh-ed25519\\s+${key.fingerprint.replace(/[+/]/g, '\\$&')}`, 'm'));
  for (const out of [added.stdout, added.stderr, list.stdout, list.stderr]) t.false(out.includes('PRIVATE KEY'));
  t.is((await runCli(['git-keys', 'remove', 'api'], env)).code, 0);
});

test.serial('trust reads the real host key, refuses without a terminal, trusts with --yes', async (t) => {
  const hostArg = `127.0.0.1:${sshd.port}`;
  const refused = await runCli(['git-keys', 'trust', hostArg], env);
  t.is(refused.code, 2);
  t.true(refused.stderr.includes(sshd.fingerprint), refused.stderr);
  t.regex(refused.stderr, /confirmation_required/);
  t.false((await runCli(['git-keys', 'hosts'], env)).stdout.includes(`[127.0.0.1]:${sshd.port}`));
  const yes = await runCli(['git-keys', 'trust', hostArg, '--yes'], env);
  t.is(yes.code, 0, yes.stderr);
  const hosts = await runCli(['git-keys', 'hosts'], env);
  t.regex(hosts.stdout, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port}\\s+ssh-ed25519\\s+${sshd.fingerprint.replace(/[+/]/g, '\\$&')}\\s+trusted$`, 'm'));
  t.regex(hosts.stdout, /^github\.com\s+ssh-ed25519\s+SHA256:\+DiY3wvvV6TuJJhbpZisF\/zLDA0zPMSvHdkr4UvCOqU\s+builtin$/m);
});
