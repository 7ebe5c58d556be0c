import test from 'ava';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../cli/cli-error.ts';
import { createApiClient } from '../../../cli/api-client.ts';
import { push, pushJson } from '../../../cli/commands/push.ts';
import type { Output } from '../../../cli/output.ts';
import { readTarGz, runMain, startFakeApi, type FakeApi } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
const servers: FakeApi[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-push-'));
  dirs.push(dir);
  return dir;
}

async function fakeApi(options?: Parameters<typeof startFakeApi>[0]): Promise<FakeApi> {
  const api = await startFakeApi(options);
  servers.push(api);
  return api;
}

/** Writes files (content strings) under `root`, creating folders. */
async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

function silentOutput(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (t) => { lines.push(t); }, err: (t) => { lines.push(t); } };
}

const envFor = (api: FakeApi, configDir: string) => ({
  SLIPWAY_URL: api.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: 'admin-password', SLIPWAY_CONFIG_DIR: configDir,
});

test('push of a directory sends a tar.gz that honours ignore files, excludes .git, keeps exec bits and symlinks', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await writeTree(dir, {
    'package.json': '{"name":"demo"}',
    'server.js': 'console.log(1)',
    'bin/start': '#!/bin/sh\nexec node server.js\n',
    '.gitignore': 'node_modules/\n*.log\n',
    '.slipwayignore': 'secret.txt\n',
    '.epinioignore': 'tmp/\n',
    'node_modules/left-pad/index.js': 'x',
    'debug.log': 'x',
    'secret.txt': 'x',
    'tmp/cache': 'x',
    '.git/HEAD': 'ref: refs/heads/main\n',
    'lib/.gitignore': 'generated.js\n',
    'lib/generated.js': 'x',
    'lib/kept.js': 'x',
  });
  await chmod(join(dir, 'bin/start'), 0o755);
  await symlink('server.js', join(dir, 'main.js'));
  await symlink('/etc', join(dir, 'outside'));

  const result = await push({ name: 'demo', path: dir }, { api: createApiClient({ url: api.url, user: 'admin', password: 'admin-password' }), output: silentOutput(), cwd: dir });

  t.is(result.app, 'demo');
  t.is(result.namespace, 'workspace');
  t.true(result.created);
  t.is(result.runtime, 'none');
  const archive = api.uploads.get(result.blobuid!);
  t.truthy(archive);
  const store = api.requests.find((r) => r.path.endsWith('/store'))!;
  t.is(store.contentType, 'application/gzip');
  const entries = await readTarGz(archive!);
  t.deepEqual(entries.map((e) => e.name), [
    '.epinioignore', '.gitignore', '.slipwayignore', 'bin/', 'bin/start', 'lib/', 'lib/.gitignore', 'lib/kept.js', 'main.js', 'outside', 'package.json', 'server.js',
  ]);
  const byName = new Map(entries.map((e) => [e.name, e]));
  t.is(byName.get('bin/start')!.mode & 0o777, 0o755);
  t.is(byName.get('server.js')!.mode & 0o777, 0o644);
  t.is(byName.get('main.js')!.type, 'symlink');
  t.is(byName.get('main.js')!.linkname, 'server.js');
  t.is(byName.get('outside')!.linkname, '/etc', 'symlinks are stored, not followed');
  t.is(byName.get('package.json')!.content, '{"name":"demo"}');
  t.deepEqual(pushJson(result), { blobuid: result.blobuid });
});

test('push --output json prints exactly {blobuid} for a directory', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await writeTree(dir, { 'index.html': '<h1>hi</h1>' });
  const run = await runMain(['push', '--name', 'site', '--output', 'json'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  t.deepEqual(Object.keys(json), ['blobuid']);
  t.true(api.uploads.has(json.blobuid));
});

test('push prints app, namespace and blob, and says staging needs a runtime', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await writeTree(dir, { 'index.html': '<h1>hi</h1>' });
  const run = await runMain(['push', '--name', 'site', '-n', 'team-a'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /App:\s+site \(created\)/);
  t.regex(run.stdout, /Namespace:\s+team-a/);
  t.regex(run.stdout, /Blob:\s+blob-1/);
  t.regex(run.stdout, /staging needs a runtime.*SLIPWAY_RUNTIME/i);
  t.true(api.namespaces.has('team-a'), 'the missing namespace was created');
  t.false(run.stdout.includes('admin-password'));
});

const gitCase = test.macro({
  async exec(t, args: string[], expected: { giturl: string; gitrev: string; subdir?: string }) {
    const api = await fakeApi();
    const dir = await tempDir();
    const run = await runMain(['push', '--name', 'mono', ...args, '-o', 'json'], envFor(api, dir), dir);
    t.is(run.code, 0, run.stderr);
    const request = api.requests.find((r) => r.path.endsWith('/import-git'))!;
    t.deepEqual(request.json, expected);
    t.false(api.requests.some((r) => r.path.endsWith('/store')), 'nothing is packed for a git push');
    const json = JSON.parse(run.stdout);
    t.deepEqual(Object.keys(json), ['blobuid', 'revision', 'branch']);
    t.regex(json.revision, /^[0-9a-f]{40}$/);
    const created = api.requests.find((r) => r.method === 'POST' && r.path.endsWith('/applications'))!;
    t.like(created.json, { name: 'mono', origin: { kind: 'git', url: expected.giturl } });
  },
  title: (_title, args: string[]) => `push ${args.join(' ')} imports from git`,
});

test(gitCase, ['--git', 'https://example.com/org/repo.git,v1.2.0'], { giturl: 'https://example.com/org/repo.git', gitrev: 'v1.2.0' });
test(gitCase, ['--git', 'https://example.com/org/repo.git'], { giturl: 'https://example.com/org/repo.git', gitrev: '' });
test(gitCase, ['--git', 'https://example.com/org/mono.git,main', '--subdir', 'services/api'], { giturl: 'https://example.com/org/mono.git', gitrev: 'main', subdir: 'services/api' });

test('push of git prints revision and branch', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  const run = await runMain(['push', '--name', 'web', '--git', 'https://example.com/r.git,develop'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /Revision:\s+[0-9a-f]{40}/);
  t.regex(run.stdout, /Branch:\s+develop/);
});

test('push to an existing app updates it with PATCH', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'one', 'slipway.yml': 'name: again\nconfiguration:\n  instances: 2\n' });
  t.is((await runMain(['push'], envFor(api, dir), dir)).code, 0);
  await writeFile(join(dir, 'slipway.yml'), 'name: again\nconfiguration:\n  instances: 3\n');
  const run = await runMain(['push'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /again \(updated\)/);
  const patch = api.requests.find((r) => r.method === 'PATCH')!;
  t.true(patch.path.endsWith('/applications/again'));
  t.like(patch.json, { configuration: { instances: 3 }, origin: { kind: 'path' } });
  t.is(api.apps.get('workspace/again')!.spec.instances, 3);
  t.is(api.uploads.size, 2);
});

const refusedName = test.macro({
  async exec(t, args: string[], pattern: RegExp) {
    const api = await fakeApi();
    const dir = await tempDir();
    const run = await runMain(['push', ...args], envFor(api, dir), dir);
    t.is(run.code, 2);
    t.regex(run.stderr, pattern);
    t.regex(run.stderr, /\(invalid_name\)/);
    t.deepEqual(api.requests, [], 'no request was made');
  },
  title: (_title, args: string[]) => `push ${args.join(' ')} is refused before any request`,
});

test(refusedName, ['--name', 'My_App'], /invalid application name "My_App"/);
test(refusedName, ['--name', 'ok', '-n', 'Bad.NS'], /invalid namespace name "Bad.NS"/);

test('push without a name is a usage error', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  const run = await runMain(['push'], envFor(api, dir), dir);
  t.is(run.code, 2);
  t.regex(run.stderr, /no application name/);
  t.regex(run.stderr, /--name/);
  t.is(api.requests.length, 0);
});

test('push of a missing directory is refused before any request', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  const run = await runMain(['push', '--name', 'x', '--path', 'nope'], envFor(api, dir), dir);
  t.is(run.code, 2);
  t.regex(run.stderr, /nope is not a directory/);
  t.is(api.requests.length, 0);
});

test('--path and --git together, and --subdir without git, are usage errors', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  const both = await runMain(['push', '--name', 'x', '--path', '.', '--git', 'https://e.com/r.git'], envFor(api, dir), dir);
  t.is(both.code, 2);
  t.regex(both.stderr, /either --path or --git/);
  const subdir = await runMain(['push', '--name', 'x', '--subdir', 'a'], envFor(api, dir), dir);
  t.is(subdir.code, 2);
  t.regex(subdir.stderr, /--subdir applies to git/);
  t.is(api.requests.length, 0);
});

test('a server problem fails push with exit 1, its detail and its code', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  api.failNext('POST', /\/store$/, { status: 413, code: 'too_large', detail: 'the upload exceeds the limit of 10 bytes (SLIPWAY_MAX_UPLOAD_BYTES)' });
  const run = await runMain(['push', '--name', 'big'], envFor(api, dir), dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /error: the upload exceeds the limit of 10 bytes \(SLIPWAY_MAX_UPLOAD_BYTES\) \(too_large\)/);
  t.notRegex(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
  const json = await runMain(['push', '--name', 'big', '-o', 'json'], envFor(api, dir), dir);
  t.is(json.code, 0, 'the failure was one-shot');
});

test('a server problem reaches the command as a CliError with code and status', async (t) => {
  const api = await fakeApi();
  api.failNext('POST', /\/import-git$/, { status: 422, code: 'unknown_revision', detail: 'revision "nope" not found in https://e.com/r.git' });
  const client = createApiClient({ url: api.url, user: 'admin', password: 'admin-password' });
  const error = await t.throwsAsync(push({ name: 'x', git: 'https://e.com/r.git,nope' }, { api: client, output: silentOutput(), cwd: '/' }));
  t.true(error instanceof CliError);
  t.like(error as CliError, { code: 'unknown_revision', status: 422, exitCode: 1, message: 'revision "nope" not found in https://e.com/r.git' });
});

test('with a runtime, push deploys: phases and build output on stderr, release and URL on stdout', async (t) => {
  const api = await fakeApi({ runtime: 'local' });
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  const run = await runMain(['push', '--name', 'web'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  const deploy = api.requests.find((r) => r.method === 'POST' && r.path.endsWith('/applications/web/deployments'))!;
  t.deepEqual(deploy.json, { blobuid: 'blob-1' });
  t.regex(run.stdout, /Deployed web release 1:\n  http:\/\/web\.localhost:8080\//);
  // Phases in order, the build output between staging and deploying.
  t.regex(run.stderr, /pending…\nstaging…\n\[build\] detecting: node\n\[build\] installing dependencies\n\[build\] build finished\ndeploying…\n$/);
  t.false(run.stdout.includes('[build]'));
});

test('push --output json keeps blobuid, revision and branch and adds release, urls and run; no build output', async (t) => {
  const api = await fakeApi({ runtime: 'local' });
  const dir = await tempDir();
  const run = await runMain(['push', '--name', 'web', '--git', 'https://example.com/r.git,main', '-o', 'json'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  t.deepEqual(Object.keys(json), ['blobuid', 'revision', 'branch', 'release', 'urls', 'run']);
  t.like(json, { blobuid: 'blob-1', branch: 'main', release: 1, urls: ['http://web.localhost:8080/'], run: 'run-1' });
  t.regex(json.revision, /^[0-9a-f]{40}$/);
  t.false(run.stderr.includes('[build]'));
  t.false(api.requests.some((r) => r.path.includes('/staging/')), 'the build output is not even read');
});

test('a failed build fails push with exit 1, the run\'s message and code, after the build output', async (t) => {
  const api = await fakeApi({ runtime: 'local' });
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  api.failNextRun({ code: 'stage_failed', message: 'the build of web failed: npm exited with 1' });
  const run = await runMain(['push', '--name', 'web'], envFor(api, dir), dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /\[build\] npm ERR! missing script: start\nerror: the build of web failed: npm exited with 1 \(stage_failed\)\nhint: see the build output above\n$/);
  // Scripts read stdout: it says the push did not deploy, and what it left behind.
  t.is(run.stdout, 'web not deployed: the build of web failed: npm exited with 1 (stage_failed); source stored as blob blob-1, run run-1\n');
  api.failNextRun({ code: 'stage_failed', message: 'the build of web failed' });
  const json = await runMain(['push', '--name', 'web', '-o', 'json'], envFor(api, dir), dir);
  t.is(json.code, 1);
  t.deepEqual(JSON.parse(json.stdout), { blobuid: 'blob-2', run: 'run-2', error: { code: 'stage_failed', message: 'the build of web failed' } });
  const body = JSON.parse(json.stderr.slice(json.stderr.indexOf('{')));
  t.like(body, { error: { code: 'stage_failed', hint: 'see the build output with `slipway app logs web --staging`', data: { run: 'run-2', stageId: 'stage-run-2' } } });
});

test('a build that ended before the first poll still has its output shown, under its phase', async (t) => {
  const api = await fakeApi({ runtime: 'local', quickStages: true });
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  const run = await runMain(['push', '--name', 'web'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /^staging…\n\[build\] detecting: node\n\[build\] installing dependencies\n\[build\] build finished\ndeploying…\n$/);
  api.failNextRun({ code: 'stage_failed', message: 'the build of web failed' });
  const failed = await runMain(['push', '--name', 'web'], envFor(api, dir), dir);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /^staging…\n\[build\] detecting: node\n[^]*\[build\] npm ERR! missing script: start\nerror: the build of web failed \(stage_failed\)\nhint: see the build output above\n$/);
});

test('a push that times out says on stdout too that it did not deploy (yet)', async (t) => {
  const api = await fakeApi({ runtime: 'local' });
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  const run = await runMain(['push', '--name', 'slow', '--timeout', '300ms', '-o', 'json'], envFor(api, dir), dir);
  t.is(run.code, 1);
  t.like(JSON.parse(run.stdout), { blobuid: 'blob-1', run: 'run-1', error: { code: 'timeout' } });
});

test('push --no-deploy only stores, and without a runtime push says staging needs one', async (t) => {
  const api = await fakeApi({ runtime: 'local' });
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  const run = await runMain(['push', '--name', 'x', '--no-deploy'], envFor(api, dir), dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /nothing was deployed \(--no-deploy\)/);
  const json = await runMain(['push', '--name', 'x', '--no-deploy', '-o', 'json'], envFor(api, dir), dir);
  t.deepEqual(JSON.parse(json.stdout), { blobuid: 'blob-2' });
  t.false(api.requests.some((r) => r.path.endsWith('/deployments')));
});

test('push gives up following at --timeout: exit 1, timeout, the run goes on', async (t) => {
  const api = await fakeApi({ runtime: 'local' });
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  const run = await runMain(['push', '--name', 'slow', '--timeout', '300ms'], envFor(api, dir), dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /error: the deployment of slow did not finish within 300ms \(timeout\)\nhint: it goes on on the server/);
  const bad = await runMain(['push', '--name', 'slow', '--timeout', 'soon'], envFor(api, dir), dir);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /a duration is a number with ms, s, m or h/);
});

test('Ctrl-C while following a push stops following with a hint', async (t) => {
  const api = await fakeApi({ runtime: 'local' });
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  const controller = new AbortController();
  const output = silentOutput();
  output.err = (text) => { output.lines.push(text); if (text === 'staging…') controller.abort(); };
  const client = createApiClient({ url: api.url, user: 'admin', password: 'admin-password' });
  const error = await t.throwsAsync(push({ name: 'x', path: dir }, { api: client, output, cwd: dir, signal: controller.signal, pollMs: 20 }));
  t.like(error as CliError, { code: 'interrupted', message: 'stopped following the deployment of x' });
});

test('push of an empty folder is refused before any request: exit 2, empty_source, what to do', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await mkdir(join(dir, 'app'));
  const run = await runMain(['push', '--name', 'x', '--path', 'app'], envFor(api, dir), dir);
  t.is(run.code, 2);
  t.regex(run.stderr, /error: \S*app is empty; nothing would be pushed \(empty_source\)\nhint: put the app's files in it/);
  t.deepEqual(api.requests, [], 'no request: no app, no namespace, no upload');
  await mkdir(join(dir, 'app', 'sub'));
  await writeFile(join(dir, 'app', '.slipwayignore'), '*.tmp\n');
  const folders = await runMain(['push', '--name', 'x', '--path', 'app'], envFor(api, dir), dir);
  t.is(folders.code, 2);
  t.regex(folders.stderr, /app holds no files \(only folders or ignore files\); nothing would be pushed \(empty_source\)/);
  t.deepEqual(api.requests, []);
});

test('push of a folder holding only ignored files names the ignore files and what they left out', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await writeTree(dir, {
    'app/.gitignore': 'node_modules/\n*.log\n',
    'app/.slipwayignore': 'secret.txt\n',
    'app/node_modules/x/index.js': 'x',
    'app/debug.log': 'x',
    'app/secret.txt': 'x',
    'app/.git/HEAD': 'ref: refs/heads/main\n',
  });
  const run = await runMain(['push', '--name', 'x', '--path', 'app', '-o', 'json'], envFor(api, dir), dir);
  t.is(run.code, 2);
  const body = JSON.parse(run.stderr.slice(run.stderr.indexOf('{')));
  t.is(body.error.code, 'empty_source');
  t.regex(body.error.message, /app holds only ignored files \(\.git\/ is never pushed; 2 ignored by \.gitignore; 1 ignored by \.slipwayignore: debug\.log, node_modules\/, secret\.txt\); nothing would be pushed$/);
  t.regex(body.error.hint, /!pattern.*\.slipwayignore/);
  t.deepEqual(api.requests, []);
});

test('a first push whose git import fails leaves no app behind, and reports the import\'s error', async (t) => {
  const api = await fakeApi();
  api.failNext('POST', /\/import-git$/, { status: 502, code: 'git_unreachable', detail: 'cannot reach https://e.com/r.git' });
  const output = silentOutput();
  const client = createApiClient({ url: api.url, user: 'admin', password: 'admin-password' });
  const error = await t.throwsAsync(push({ name: 'fresh', git: 'https://e.com/r.git,main' }, { api: client, output, cwd: '/' }));
  t.like(error as CliError, { code: 'git_unreachable', message: 'cannot reach https://e.com/r.git' });
  t.false(api.apps.has('workspace/fresh'), 'the app push created is gone');
  t.true(api.requests.some((r) => r.method === 'DELETE' && r.path === '/api/v1/namespaces/workspace/applications/fresh'));
  t.deepEqual(output.lines, []);
});

test('a first push whose upload fails leaves no app behind', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  await writeTree(dir, { 'a.txt': 'x' });
  api.failNext('POST', /\/store$/, { status: 422, code: 'corrupt_archive', detail: 'the archive is damaged or truncated' });
  const run = await runMain(['push', '--name', 'fresh'], envFor(api, dir), dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /the archive is damaged or truncated \(corrupt_archive\)/);
  t.false(api.apps.has('workspace/fresh'));
});

test('a failed push never deletes an app that existed before it', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  t.is((await runMain(['push', '--name', 'old', '--git', 'https://e.com/r.git,main'], envFor(api, dir), dir)).code, 0);
  api.failNext('POST', /\/import-git$/, { status: 422, code: 'unknown_revision', detail: 'revision "nope" not found' });
  const run = await runMain(['push', '--name', 'old', '--git', 'https://e.com/r.git,nope'], envFor(api, dir), dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /unknown_revision/);
  t.true(api.apps.has('workspace/old'));
  t.false(api.requests.some((r) => r.method === 'DELETE'));
});

test('when deleting the app it created fails, push warns and still reports the original error', async (t) => {
  const api = await fakeApi();
  const dir = await tempDir();
  api.failNext('POST', /\/import-git$/, { status: 502, code: 'git_unreachable', detail: 'cannot reach https://e.com/r.git' });
  api.failNext('DELETE', /\/applications\/fresh$/, { status: 503, code: 'unavailable', detail: 'the state store is unavailable' });
  const run = await runMain(['push', '--name', 'fresh', '--git', 'https://e.com/r.git'], envFor(api, dir), dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /warning: could not delete the app fresh this push created \(the state store is unavailable\); delete it with `slipway apps delete fresh -n workspace`\n/);
  t.regex(run.stderr, /error: cannot reach https:\/\/e\.com\/r\.git \(git_unreachable\)/);
});
