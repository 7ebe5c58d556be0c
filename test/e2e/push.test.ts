/**
 * End to end, as a user runs it: `slipway server` as a process, then the `slipway` CLI
 * as processes — login, push a directory, push a git revision, list and delete apps.
 */
import test from 'ava';
import { mkdir, readFile, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { archiveEntries, createBareRepo, createWorkRepo, type WorkRepo } from '../helpers/git-repo.ts';

const PASSWORD = 'e2e-admin-password';
let server: ServerProcess;
let gitServer: GitServer;
let repo: WorkRepo;
let home: string;
const cleanups: (() => Promise<unknown>)[] = [];

test.before(async () => {
  const data = await makeTempDir('slipway-e2e-data-');
  const h = await makeTempDir('slipway-e2e-home-');
  const repos = await makeTempDir('slipway-e2e-repos-');
  cleanups.push(data.cleanup, h.cleanup, repos.cleanup);
  home = h.dir;
  // No runtime: this file is about storing sources; test/e2e/local-runtime.test.ts deploys.
  server = await startServerProcess({ SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1', SLIPWAY_RUNTIME: 'none' });
  await createBareRepo(repos.dir, 'app');
  gitServer = await startGitServer({ root: repos.dir });
  repo = await createWorkRepo();
  await repo.write({ 'server.js': 'require("http").createServer((q, s) => s.end("hi")).listen(process.env.PORT)\n', 'package.json': '{"name":"app"}\n' });
  await repo.commit('app');
  await repo.push(`${gitServer.url}/app.git`);
});
test.after.always(async () => {
  await server?.stop();
  await gitServer?.close();
  await repo?.cleanup();
  await Promise.all(cleanups.map((c) => c()));
});

const env = () => ({ HOME: home, SLIPWAY_CONFIG_DIR: join(home, 'slipway') });

test.serial('login stores the credentials for later commands, without echoing the password', async (t) => {
  const wrong = await runCli(['login', server.url, '--user', 'admin', '--password', 'not-the-password'], env());
  t.is(wrong.code, 1);
  const login = await runCli(['login', server.url, '--user', 'admin', '--password', PASSWORD], env());
  t.is(login.code, 0, login.stderr);
  t.false(login.stdout.includes(PASSWORD) || login.stderr.includes(PASSWORD));
  t.is((await stat(join(home, 'slipway', 'config.json'))).mode & 0o777, 0o600);
});

test.serial('push of a directory stores exactly the files that are not ignored', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-e2e-src-');
  t.teardown(cleanup);
  await mkdir(join(dir, 'node_modules/x'), { recursive: true });
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'index.html'), '<h1>hello</h1>\n');
  await writeFile(join(dir, 'bin/start'), '#!/bin/sh\n');
  await chmod(join(dir, 'bin/start'), 0o755);
  await symlink('index.html', join(dir, 'home.html'));
  await writeFile(join(dir, 'node_modules/x/i.js'), '1');
  await writeFile(join(dir, 'secret.env'), 'TOKEN=1');
  await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
  await writeFile(join(dir, '.slipwayignore'), 'secret.env\n');

  const push = await runCli(['push', '--name', 'site', '--path', dir, '--output', 'json'], env());
  t.is(push.code, 0, push.stderr);
  const result = JSON.parse(push.stdout);
  t.deepEqual(Object.keys(result), ['blobuid']);

  const download = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/site/store/${result.blobuid}`, {
    headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` },
  });
  const entries = await archiveEntries(Buffer.from(await download.arrayBuffer()));
  const files = entries.filter((e) => e.type !== 'directory').map((e) => `${e.path}:${e.type}${e.executable ? ':x' : ''}`).sort();
  t.deepEqual(files, ['.gitignore:file', '.slipwayignore:file', 'bin/start:file:x', 'home.html:symlink', 'index.html:file']);
});

test.serial('push without a runtime says the source is stored and staging needs one', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-e2e-src-');
  t.teardown(cleanup);
  await writeFile(join(dir, 'index.html'), 'x');
  const push = await runCli(['push', '--name', 'plain', '--path', dir], env());
  t.is(push.code, 0, push.stderr);
  t.regex(push.stdout + push.stderr, /stored/i);
  t.regex(push.stdout + push.stderr, /SLIPWAY_RUNTIME/);
});

test.serial('push of a git revision prints the full SHA and branch', async (t) => {
  const sha = await repo.git('rev-parse', 'HEAD');
  const push = await runCli(['push', '--name', 'from-git', '--git', `${gitServer.url}/app.git,main`, '--output', 'json'], env());
  t.is(push.code, 0, push.stderr);
  const result = JSON.parse(push.stdout);
  t.like(result, { revision: sha, branch: 'main' });
  t.regex(result.blobuid, /^[0-9a-f-]{36}$/);

  const show = await runCli(['apps', 'show', 'from-git', '--output', 'json'], env());
  t.is(show.code, 0, show.stderr);
  t.like(JSON.parse(show.stdout), { spec: { origin: { kind: 'git', branch: 'main' } }, status: { source: { revision: sha } } });
});

test.serial('a bad revision is a clear error with exit code 1', async (t) => {
  const push = await runCli(['push', '--name', 'from-git', '--git', `${gitServer.url}/app.git,no-such-branch`], env());
  t.is(push.code, 1);
  t.regex(push.stderr, /no-such-branch/);
  t.regex(push.stderr, /unknown_revision/);
});

test.serial('an invalid app name is refused before anything is sent', async (t) => {
  const push = await runCli(['push', '--name', 'Bad_Name', '--path', '.'], env());
  t.is(push.code, 2);
  t.regex(push.stderr, /DNS-1123/);
});

test.serial('apps list and delete', async (t) => {
  const list = await runCli(['apps', 'list', '--output', 'json'], env());
  t.is(list.code, 0, list.stderr);
  t.deepEqual(JSON.parse(list.stdout).map((a: { metadata: { name: string } }) => a.metadata.name).sort(), ['from-git', 'plain', 'site']);
  const del = await runCli(['apps', 'delete', 'plain'], env());
  t.is(del.code, 0, del.stderr);
  const after = await runCli(['apps', 'list', '--output', 'json'], env());
  t.deepEqual(JSON.parse(after.stdout).map((a: { metadata: { name: string } }) => a.metadata.name).sort(), ['from-git', 'site']);
});

test('a first start without SLIPWAY_ADMIN_PASSWORD prints a generated password once', async (t) => {
  const data = await makeTempDir('slipway-e2e-first-');
  t.teardown(data.cleanup);
  const first = await startServerProcess({ SLIPWAY_DATA_DIR: data.dir, SLIPWAY_RUNTIME: 'none' });
  await first.stop();
  const printed = /password[^\n]*:\n\n\s+(\S+)/.exec(first.stderr())?.[1] ?? 'no password printed';
  t.not(printed, "no password printed", first.stderr());
  t.is((await readFile(join(data.dir, 'admin-password'), 'utf8')).trim(), printed);
  const second = await startServerProcess({ SLIPWAY_DATA_DIR: data.dir, SLIPWAY_RUNTIME: 'none' });
  t.teardown(async () => { await second.stop(); });
  t.false(second.stderr().includes(printed), "not printed again");
  const info = await fetch(`${second.url}/api/v1/info`, { headers: { authorization: `Basic ${Buffer.from(`admin:${printed}`).toString('base64')}` } });
  t.is(info.status, 200);
});
