/**
 * End to end on the embedded default: `slipway server` as a process with the local
 * runtime, the CLI as processes, apps answering HTTP through the router.
 */
import test from 'ava';
import { cp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess, REPO_ROOT, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { getApp, hammer, eventually } from '../helpers/app-request.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { createBareRepo, createWorkRepo } from '../helpers/git-repo.ts';

const PASSWORD = 'e2e-admin-password';
let server: ServerProcess;
let dataDir: string;
let env: Record<string, string>;
const cleanups: (() => Promise<unknown>)[] = [];

const serverEnv = () => ({ SLIPWAY_DATA_DIR: dataDir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1', SLIPWAY_READY_TIMEOUT_MS: '4000', SLIPWAY_STOP_GRACE_MS: '2000' });

test.before(async () => {
  const data = await makeTempDir('slipway-local-data-');
  const home = await makeTempDir('slipway-local-home-');
  cleanups.push(data.cleanup, home.cleanup);
  dataDir = data.dir;
  server = await startServerProcess(serverEnv());
  env = { HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'cfg'), SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD };
});
test.after.always(async () => {
  await server?.stop();
  await Promise.all(cleanups.map((c) => c()));
});

/** A copy of an example app in a temp dir, with `server.js`'s version set. */
async function nodeApp(version: string): Promise<string> {
  const { dir, cleanup } = await makeTempDir('slipway-app-');
  cleanups.push(cleanup);
  await cp(join(REPO_ROOT, 'examples/node-hello'), dir, { recursive: true });
  const file = join(dir, 'server.js');
  await writeFile(file, (await readFile(file, 'utf8')).replace("process.env.APP_VERSION || '1.0.0'", `process.env.APP_VERSION || '${version}'`));
  return dir;
}

async function push(args: string[]): Promise<{ code: number; json: any; stderr: string }> {
  const run = await runCli(['push', ...args, '--output', 'json'], env);
  let json: any;
  try { json = JSON.parse(run.stdout); } catch { json = undefined; }
  return { code: run.code, json, stderr: run.stderr };
}

test.serial('push a directory: the app answers on <app>.localhost, and a change switches without a failed request', async (t) => {
  const first = await push(['--name', 'hello', '--path', await nodeApp('1.0.0')]);
  t.is(first.code, 0, first.stderr);
  t.like(first.json, { release: 1, urls: [server.url.replace('127.0.0.1', 'hello.localhost') + '/'] });
  const url = first.json.urls[0];
  t.regex((await getApp(url)).body, /version 1\.0\.0/);

  const client = hammer(url, (body) => /version (1\.0\.0|2\.0\.0)/.test(body));
  await eventually(() => client.answered > 20, 'the client to get going');
  const second = await push(['--name', 'hello', '--path', await nodeApp('2.0.0')]);
  await eventually(async () => /version 2\.0\.0/.test((await getApp(url)).body), 'the new release');
  const during = client.answered;
  await new Promise((r) => setTimeout(r, 300));
  await client.stop();
  t.is(second.code, 0, second.stderr);
  t.is(second.json.release, 2);
  t.deepEqual(client.failures, [], 'no request failed during the switch');
  t.true(client.answered > during, 'requests kept flowing after the switch');

  const rollback = await runCli(['app', 'rollback', 'hello'], env);
  t.is(rollback.code, 0, rollback.stderr);
  t.regex((await getApp(url)).body, /version 1\.0\.0/);
  const releases = JSON.parse((await runCli(['app', 'releases', 'hello', '--output', 'json'], env)).stdout);
  t.deepEqual(releases.map((r: { number: number; current: boolean }) => [r.number, r.current]), [[2, false], [1, true]]);
});

test.serial('a static site and a Procfile app are served', async (t) => {
  const site = await push(['--name', 'site', '--path', join(REPO_ROOT, 'examples/static-site')]);
  t.is(site.code, 0, site.stderr);
  const page = await getApp(site.json.urls[0]);
  t.is(page.status, 200);
  t.regex(page.body, /<html/i);
  const proc = await push(['--name', 'proc', '--path', join(REPO_ROOT, 'examples/procfile-app')]);
  t.is(proc.code, 0, proc.stderr);
  t.regex((await getApp(proc.json.urls[0])).body, /procfile-app/);
});

test.serial('push from git serves that revision', async (t) => {
  const repos = await makeTempDir('slipway-local-repos-');
  cleanups.push(repos.cleanup);
  await createBareRepo(repos.dir, 'hello');
  const git: GitServer = await startGitServer({ root: repos.dir });
  cleanups.push(() => git.close());
  const work = await createWorkRepo();
  cleanups.push(() => work.cleanup());
  await cp(await nodeApp('git-1'), work.dir, { recursive: true });
  const sha = await work.commit('git app');
  await work.push(`${git.url}/hello.git`);
  const pushed = await push(['--name', 'from-git', '--git', `${git.url}/hello.git,main`]);
  t.is(pushed.code, 0, pushed.stderr);
  t.like(pushed.json, { revision: sha, branch: 'main', release: 1 });
  t.regex((await getApp(pushed.json.urls[0])).body, /version git-1/);
});

const broken = test.macro({
  async exec(t, name: string, files: Record<string, string>, code: string) {
    const { dir, cleanup } = await makeTempDir('slipway-broken-');
    cleanups.push(cleanup);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    const pushed = await push(['--name', name, '--path', dir]);
    t.is(pushed.code, 1);
    t.regex(pushed.stderr, new RegExp(code));
  },
  title: (title = '') => `refused with a clear error: ${title}`,
});

test.serial('an app that exits at once', broken, 'exits', { 'Procfile': 'web: node -e "process.exit(3)"\n' }, 'deploy_failed');
test.serial('an app that never opens its port', broken, 'silent', { 'Procfile': 'web: node -e "setInterval(() => {}, 1000)"\n' }, 'deploy_failed');
test.serial('a Procfile without web', broken, 'worker', { 'Procfile': 'worker: node worker.js\n' }, 'stage_failed');
test.serial('nothing runnable', broken, 'nothing', { 'README.md': '# hi\n' }, 'stage_failed');

test.serial('a failed deploy keeps the old release serving', async (t) => {
  const url = (await push(['--name', 'keeper', '--path', await nodeApp('good')])).json.urls[0];
  const { dir, cleanup } = await makeTempDir('slipway-broken-');
  cleanups.push(cleanup);
  await writeFile(join(dir, 'Procfile'), 'web: node -e "console.error(\'boom\'); process.exit(1)"\n');
  const bad = await push(['--name', 'keeper', '--path', dir]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /boom/, 'the crash output is reported');
  t.regex((await getApp(url)).body, /version good/);
});

test.serial('a redeploy that crashes at start: the exception on stderr, a summary on stdout, and apps list says the last deploy failed', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-crash-');
  cleanups.push(cleanup);
  await writeFile(join(dir, 'Procfile'), 'web: node app.js\n');
  await writeFile(join(dir, 'app.js'), "console.log('starting');\nthrow new Error('boom: DATABASE_URL is not set');\n");
  const run = await runCli(['push', '--name', 'keeper', '--path', dir], env);
  t.is(run.code, 1);
  t.regex(run.stderr, /^first error: Error: boom: DATABASE_URL is not set$/m);
  t.regex(run.stdout, /^keeper not deployed: .*exited with code 1 .*\(deploy_failed\); source stored as blob \S+, run \S+$/m);
  const list = await runCli(['apps', 'list'], env);
  t.regex(list.stdout, /^keeper\s+1\/1\s+running \(last deploy failed\)\s/m);
  const logs = await runCli(['app', 'logs', 'keeper'], env);
  t.regex(logs.stdout, /Error: boom: DATABASE_URL is not set/);
});

test.serial('an app on a port of its own is told to listen on $PORT', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-port-');
  cleanups.push(cleanup);
  await writeFile(join(dir, 'Procfile'), 'web: node app.js\n');
  // Port 0 stands for a hard-coded 3000 that another test on this machine could hold.
  await writeFile(join(dir, 'app.js'), "const s = require('node:http').createServer((q, r) => r.end('hi')).listen(0, () => console.log('listening on ' + s.address().port));\n");
  const pushed = await push(['--name', 'ownport', '--path', dir]);
  t.is(pushed.code, 1);
  t.regex(pushed.stderr, /listens on port \d+, but must listen on \$PORT \(\d+\)/);
  t.like(pushed.json, { error: { code: 'deploy_failed' } });
});

test.serial('killed with SIGKILL mid-deploy, the restarted server serves the last good release', async (t) => {
  const url = (await push(['--name', 'survivor', '--path', await nodeApp('before-kill')])).json.urls[0];
  const slow = await nodeApp('never-served');
  await writeFile(join(slow, 'Procfile'), 'web: sleep 3 && node server.js\n');
  const pending = runCli(['push', '--name', 'survivor', '--path', slow], env);
  await eventually(async () => {
    const shown = JSON.parse((await runCli(['apps', 'show', 'survivor', '--output', 'json'], env)).stdout);
    return shown.status.run?.phase === 'deploying';
  }, 'the deploy to start');
  await server.stop('SIGKILL');
  await pending;
  server = await startServerProcess(serverEnv());
  env.SLIPWAY_URL = server.url;
  const restartedUrl = url.replace(/:\d+\//, `:${new URL(server.url).port}/`);
  await eventually(async () => /version before-kill/.test((await getApp(restartedUrl)).body), 'the last good release to serve again');
  const shown = JSON.parse((await runCli(['apps', 'show', 'survivor', '--output', 'json'], env)).stdout);
  t.like(shown.status, { release: { number: 1 }, run: { phase: 'failed', error: { code: 'interrupted' } } });
});

test.serial('after the restart, app logs still show the crash of the release that did not start', async (t) => {
  const logs = await runCli(['app', 'logs', 'keeper', '--tail', '1000'], env);
  t.is(logs.code, 0, logs.stderr);
  t.regex(logs.stdout, /Error: boom: DATABASE_URL is not set/);
});
