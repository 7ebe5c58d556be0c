/**
 * End to end, a private repository over SSH with a deploy key (issue 17), as a user does
 * it: `slipway server` (local runtime) as a process, a real sshd serving a bare
 * repository, and the real CLI — `git-keys add` prints a public key, which is
 * authorised on the git host (as pasting it into GitHub's deploy keys does),
 * `git-keys trust --yes` trusts the host key, `push --git ssh://…,main --watch` serves the
 * app, and a `git push` is picked up by polling over SSH, then by a signed webhook. The private key never shows in
 * the server's output, the CLI's output or the API's answers.
 */
import test from 'ava';
import { createHmac } from 'node:crypto';
import { access, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess, REPO_ROOT, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { getApp, eventually } from '../helpers/app-request.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../helpers/git-repo.ts';
import { SSHD, startSshGitServer, type SshGitServer } from '../helpers/ssh-git-server.ts';

const PASSWORD = 'e2e-admin-password';
const hasSshd = await access(SSHD).then(() => true, () => false);
let server: ServerProcess;
let sshd: SshGitServer;
let bare: string;
let repo: WorkRepo;
let env: Record<string, string>;
const cleanups: (() => Promise<unknown>)[] = [];

test.before(async () => {
  if (!hasSshd) return;
  const data = await makeTempDir('slipway-ssh-data-');
  const home = await makeTempDir('slipway-ssh-home-');
  const repos = await makeTempDir('slipway-ssh-repos-');
  cleanups.push(data.cleanup, home.cleanup, repos.cleanup);
  bare = await createBareRepo(repos.dir, 'private-app');
  sshd = await startSshGitServer({ authorizedKeys: [] });
  cleanups.push(() => sshd.close());
  server = await startServerProcess({
    SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1',
    SLIPWAY_WATCH_MIN_INTERVAL_MS: '1000', SLIPWAY_STOP_GRACE_MS: '1000', SLIPWAY_LOG_LEVEL: 'debug',
    // sshd takes a second or more per session on a loaded machine.
    SLIPWAY_GIT_TIMEOUT_MS: '120000',
  });
  env = { HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'cfg'), SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD };
  repo = await createWorkRepo();
  cleanups.push(() => repo.cleanup());
  await cp(join(REPO_ROOT, 'examples/node-hello'), repo.dir, { recursive: true });
});
test.after.always(async () => {
  await server?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** Commits node-hello answering with `version`, and pushes it to the bare repository (as a developer's `git push`). */
async function commit(version: string): Promise<string> {
  const file = join(repo.dir, 'server.js');
  const source = await readFile(file, 'utf8');
  await writeFile(file, source.replace(/process\.env\.APP_VERSION \|\| '[^']*'/, `process.env.APP_VERSION || '${version}'`));
  const sha = await repo.commit(version);
  await repo.push(bare, ['main']);
  return sha;
}

(hasSshd ? test : test.skip)('a deploy key and a trusted host key let a watched app deploy from ssh://, and redeploy on push by polling and by a webhook', async (t) => {
  t.timeout(240_000);
  const added = await runCli(['git-keys', 'add', '127.0.0.1', '--name', 'private-app', '-o', 'json'], env);
  t.is(added.code, 0, added.stderr);
  const key = JSON.parse(added.stdout) as { publicKey: string; fingerprint: string };
  // What pasting the public key into the provider's deploy keys does.
  await sshd.authorize([key.publicKey]);

  const url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${bare}`;
  await commit('ssh-1');
  // Before the host key is trusted, the push is refused with what to run.
  const untrusted = await runCli(['push', '--name', 'private-app', '--git', `${url},main`], env);
  t.is(untrusted.code, 1);
  t.regex(untrusted.stderr, /git_host_key_unknown/);
  t.regex(untrusted.stderr, /slipway git-keys trust/);

  const trusted = await runCli(['git-keys', 'trust', `127.0.0.1:${sshd.port}`, '--yes'], env);
  t.is(trusted.code, 0, trusted.stderr);

  const pushed = await runCli(['push', '--name', 'private-app', '--git', `${url},main`, '--watch', '--interval', '2s', '--output', 'json'], env);
  t.is(pushed.code, 0, pushed.stderr);
  const appUrl = JSON.parse(pushed.stdout).urls[0] as string;
  t.regex((await getApp(appUrl)).body, /version ssh-1/);

  const second = await commit('ssh-2');
  await eventually(async () => /version ssh-2/.test((await getApp(appUrl)).body), 'the poller to deploy ssh-2 over SSH', 90_000);
  const releases = await runCli(['app', 'releases', 'private-app', '-o', 'json'], env);
  t.is((JSON.parse(releases.stdout) as { revision: string; current: boolean }[]).find((r) => r.current)?.revision, second);

  // Webhooks: polling slowed to an hour, a signed generic delivery naming the repository
  // with another user in its ssh:// URL (as providers spell it) redeploys at once.
  t.is((await runCli(['app', 'watch', 'private-app', '--interval', '1h'], env)).code, 0);
  const { secret } = JSON.parse((await runCli(['app', 'webhook', 'private-app', '--output', 'json'], env)).stdout) as { secret: string };
  const third = await commit('ssh-3');
  const body = JSON.stringify({ repository: `ssh://git@127.0.0.1:${sshd.port}${bare}`, ref: 'refs/heads/main', after: third });
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const delivered = await fetch(`${server.url}/webhooks/generic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slipway-signature-256': signature }, body });
  t.is(delivered.status, 202, await delivered.text());
  await eventually(async () => /version ssh-3/.test((await getApp(appUrl)).body), 'the webhook to deploy ssh-3 over SSH', 90_000);

  const shown = await runCli(['apps', 'show', 'private-app', '-o', 'json'], env);
  const keys = await runCli(['git-keys', 'list', '-o', 'json'], env);
  for (const text of [added.stdout, added.stderr, pushed.stdout, pushed.stderr, shown.stdout, keys.stdout, server.stdout(), server.stderr()]) {
    t.false(text.includes('PRIVATE KEY'), 'no private key in any output');
  }
});
