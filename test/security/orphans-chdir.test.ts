/**
 * Issue 9, item 6: leftovers of a server killed with SIGKILL are found by marks the app
 * cannot change. Apps (and the build steps that run while staging) that move to another
 * working folder, and the daemons they fork into process groups of their own, must all
 * be gone once the server is started again on the same data folder, and exactly one
 * instance of the app must serve. Each process the apps start writes its pid into a
 * folder the test owns, so the test knows every process there ever was.
 */
import test from 'ava';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { eventually, getApp } from '../helpers/app-request.ts';

const PASSWORD = 'orphans-admin-password';
const cleanups: (() => Promise<unknown>)[] = [];
const pidDirs: string[] = [];

test.after.always(async () => {
  // Whatever the outcome, nothing the apps started may outlive the test (the daemons
  // escape the process group the server stops at shutdown).
  for (const dir of pidDirs) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      try { process.kill(Number(name.slice(name.indexOf('-') + 1)), 'SIGKILL'); } catch { /* gone */ }
    }
  }
  await Promise.all(cleanups.map((c) => c()));
});

/** A running, not-a-zombie process with this pid. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** The pids recorded in `dir` under `prefix-<pid>`. */
async function pidsIn(dir: string, prefix: string): Promise<number[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(`${prefix}-`)).map((name) => Number(name.slice(prefix.length + 1)));
}

async function alivePids(dir: string, prefix: string): Promise<number[]> {
  const live: number[] = [];
  for (const pid of await pidsIn(dir, prefix)) if (await alive(pid)) live.push(pid);
  return live;
}

/** Writes a process that records its pid as `<prefix>-<pid>` in `pids`, then changes to /tmp. */
const recordAndMove = (pids: string, prefix: string) =>
  `require('node:fs').writeFileSync(${JSON.stringify(pids)} + '/${prefix}-' + process.pid, ''); process.chdir('/tmp');`;

/** An app that moves to /tmp, forks a daemon into a session of its own (which moves to /), and answers its pid. */
async function chdirApp(pids: string): Promise<string> {
  const { dir, cleanup } = await makeTempDir('slipway-chdir-app-');
  cleanups.push(cleanup);
  const daemon = `${recordAndMove(pids, 'daemon')} process.chdir('/'); setInterval(() => {}, 1000);`;
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'chdir-app', private: true, scripts: { start: 'node server.js' } }));
  await writeFile(join(dir, 'server.js'), `${recordAndMove(pids, 'app')}
const { spawn } = require('node:child_process');
spawn(process.execPath, ['-e', ${JSON.stringify(daemon)}], { detached: true, stdio: 'ignore' }).unref();
require('node:http').createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT));
`);
  return dir;
}

/** A server on a fresh data folder, the CLI's environment for it, and a folder for pids. */
async function setup() {
  const data = await makeTempDir('slipway-orphans-data-');
  const home = await makeTempDir('slipway-orphans-home-');
  const pids = join(home.dir, 'pids');
  await mkdir(pids);
  pidDirs.push(pids);
  const serverEnv = { SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_READY_TIMEOUT_MS: '10000', SLIPWAY_STOP_GRACE_MS: '1000' };
  let server: ServerProcess = await startServerProcess(serverEnv);
  // Stopped before its folders go (cleanups run in order).
  cleanups.push(() => server.stop(), data.cleanup, home.cleanup);
  const env = { HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'cfg'), SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD };
  const restart = async () => {
    await server.stop('SIGKILL');
    server = await startServerProcess(serverEnv);
    env.SLIPWAY_URL = server.url;
    return server;
  };
  return { pids, env, server, restart };
}

test.serial('after SIGKILL and a restart, an app that changed directory runs once, and its old process and daemon are gone', async (t) => {
  const { pids, env, restart } = await setup();
  const pushed = await runCli(['push', '--name', 'mover', '--path', await chdirApp(pids), '--output', 'json'], env);
  t.is(pushed.code, 0, pushed.stderr);
  const url: string = JSON.parse(pushed.stdout).urls[0];
  const before = Number((await getApp(url)).body);
  t.deepEqual(await alivePids(pids, 'app'), [before]);
  await eventually(async () => (await alivePids(pids, 'daemon')).length === 1, 'the app to fork its daemon');
  const [daemon] = await alivePids(pids, 'daemon');

  const restarted = await restart();
  const newUrl = url.replace(/:\d+\//, `:${new URL(restarted.url).port}/`);
  let serving = 0;
  await eventually(async () => {
    const answer = await getApp(newUrl);
    serving = Number(answer.body);
    return answer.status === 200 && serving !== before;
  }, 'the restarted server to serve the app again', 30_000);
  await eventually(async () => !(await alive(before)), 'the old instance to be gone', 10_000).catch(() => undefined);
  t.false(await alive(before), `the instance from before the kill (pid ${before}) still runs`);
  t.false(await alive(daemon!), `the daemon the old instance forked (pid ${daemon}) still runs`);
  t.deepEqual(await alivePids(pids, 'app'), [serving], 'exactly one instance runs, and it is the one serving');
});

test.serial('after SIGKILL during staging, a build step and the daemon it forked, both in other directories, are gone after the restart', async (t) => {
  const { pids, env, restart } = await setup();
  const { dir, cleanup } = await makeTempDir('slipway-chdir-build-');
  cleanups.push(cleanup);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'slow-build', private: true, scripts: { build: 'node build.js', start: 'node server.js' } }));
  const daemonSource = `${recordAndMove(pids, 'daemon')} setInterval(() => {}, 1000);`;
  await writeFile(join(dir, 'build.js'), `${recordAndMove(pids, 'build')}
require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(daemonSource)}], { detached: true, stdio: 'ignore' }).unref();
setInterval(() => {}, 1000);
`);
  await writeFile(join(dir, 'server.js'), "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));\n");
  const pending = runCli(['push', '--name', 'builder', '--path', dir], env);
  await eventually(async () => (await alivePids(pids, 'daemon')).length === 1, 'the build step to fork its daemon', 30_000);
  const [build] = await alivePids(pids, 'build');
  const [daemon] = await alivePids(pids, 'daemon');

  await restart();
  await pending;
  await eventually(async () => !(await alive(build!)), 'the old build step to be gone', 10_000).catch(() => undefined);
  await eventually(async () => !(await alive(daemon!)), 'its daemon to be gone', 5_000).catch(() => undefined);
  t.false(await alive(build!), `the build step from before the kill (pid ${build}) still runs`);
  t.false(await alive(daemon!), `the daemon the build step forked (pid ${daemon}) still runs`);
});
