/**
 * End to end, the first hour with `npm start` (issue 13): one server per data folder,
 * stopping everything through the PID a supervisor or `kill` knows, and where the
 * server listens.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { startServerProcess, REPO_ROOT, CLI_BIN, type ServerProcess } from '../helpers/server-process.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { eventually, getApp } from '../helpers/app-request.ts';
import { ADMIN_PASSWORD, startTestServer } from '../helpers/test-server.ts';
import { isRunning, listPids, readProcStat, type ProcStat } from '../../controller/adapters/local/run/proc-info.ts';

const PASSWORD = 'e2e-admin-password';
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(() => Promise.all(cleanups.map((c) => c())));

async function tempDir(prefix: string): Promise<string> {
  const temp = await makeTempDir(prefix);
  cleanups.push(temp.cleanup);
  return temp.dir;
}

/** Pushes the node-hello example (an app process of its own) as `name` through the CLI; its URL. */
async function pushApp(serverUrl: string, name: string): Promise<string> {
  const home = await tempDir('slipway-first-hour-home-');
  const env = { HOME: home, SLIPWAY_CONFIG_DIR: join(home, 'cfg'), SLIPWAY_URL: serverUrl, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD };
  const run = await runCli(['push', '--name', name, '--path', join(REPO_ROOT, 'examples/node-hello'), '--output', 'json'], env);
  if (run.code !== 0) throw new Error(`push failed: ${run.stderr}`);
  return JSON.parse(run.stdout).urls[0];
}

/** Every process below `root`, found through the parent pids in /proc. */
async function descendants(root: number): Promise<ProcStat[]> {
  const all = (await Promise.all((await listPids()).map(readProcStat))).filter((s): s is ProcStat => s !== undefined);
  const found: ProcStat[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const stat of all) {
      if (parents.has(stat.ppid) && !parents.has(stat.pid)) {
        parents.add(stat.pid);
        found.push(stat);
        grew = true;
      }
    }
  }
  return found;
}

/** True when nothing accepts connections on `url`'s host and port. */
function refused(url: string, host = new URL(url).hostname): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), host);
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(true));
  });
}

test('a second server on the same data folder refuses to start and leaves the first one and its apps alone', async (t) => {
  const dataDir = await tempDir('slipway-first-hour-data-');
  const first = await startServerProcess({ SLIPWAY_DATA_DIR: dataDir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_STOP_GRACE_MS: '2000' });
  cleanups.push(() => first.stop());
  const site = await pushApp(first.url, 'site');
  t.is((await getApp(site)).status, 200);

  // The folder as the user wrote it, relative to where the second server starts.
  const second = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, 'server'], {
      cwd: dirname(dataDir),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_DATA_DIR: `./${basename(dataDir)}`, SLIPWAY_PORT: '0', SLIPWAY_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Without the lock it would serve (and run the apps a second time): stop it there.
      if (stderr.includes('listening on')) child.kill('SIGTERM');
    });
    child.once('close', (code) => resolve({ code, stderr }));
  });
  t.not(second.code, 0);
  t.true(second.stderr.includes(`another Slipway (pid ${first.child.pid}) is using ./${basename(dataDir)}`), second.stderr);

  t.is((await getApp(site)).status, 200, 'the first server\'s app still answers');
  t.is((await fetch(`${first.url}/healthz`)).status, 200);
  t.is(await first.stop(), 'SIGTERM', 'a server that shut down cleanly ends by the signal it was sent');
  await t.throwsAsync(access(join(dataDir, 'slipway.lock')), undefined, 'a clean shutdown releases the lock');
});

const staleLock = test.macro(async (t, holder: () => Promise<object>) => {
  const dataDir = await tempDir('slipway-first-hour-stale-');
  await writeFile(join(dataDir, 'slipway.lock'), JSON.stringify(await holder()));
  const server = await startServerProcess({ SLIPWAY_DATA_DIR: dataDir, SLIPWAY_RUNTIME: 'none' });
  t.is((await fetch(`${server.url}/healthz`)).status, 200);
  t.is(await server.stop(), 'SIGTERM');
  await t.throwsAsync(access(join(dataDir, 'slipway.lock')));
});

test('the lock of a process that is gone is taken over', staleLock, async () => {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('close', resolve));
  return { pid: child.pid, start: 1 };
});
test('the lock of a pid now used by another process is taken over', staleLock, async () => ({ pid: process.pid, start: (await readProcStat(process.pid))!.start - 1 }));

/** `npm start` in the checkout, as the README says, on a free port. */
async function npmStart(dataDir: string): Promise<{ pid: number; url: string; banner: string; exited: Promise<unknown> }> {
  const child = spawn('npm', ['start'], {
    // A process group of its own, like a terminal's foreground job.
    detached: true,
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: 'false',
      SLIPWAY_DATA_DIR: dataDir, SLIPWAY_PORT: '0', SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_LOG_LEVEL: 'warn', SLIPWAY_STOP_GRACE_MS: '2000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('close', resolve));
  // Whatever a test asserts, nothing it started outlives it.
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  await eventually(() => /listening on http:\/\/\S+/.test(stderr) || child.exitCode !== null, 'the banner', 30_000);
  const match = /Slipway is listening on (http:\/\/\S+).*/.exec(stderr);
  if (!match) throw new Error(`npm start failed:\n${stderr}`);
  return { pid: child.pid!, url: match[1]!, banner: match[0], exited };
}

const stopsByPid = test.macro(async (t, signal: NodeJS.Signals, group = false) => {
  const started = await npmStart(await tempDir('slipway-first-hour-npm-'));
  const processes = await descendants(started.pid);
  cleanups.push(async () => { for (const p of processes) if (await isRunning(p.pid, p.start)) process.kill(p.pid, 'SIGKILL'); });
  const site = await pushApp(started.url, 'site');
  processes.push(...(await descendants(started.pid)).filter((p) => !processes.some((q) => q.pid === p.pid)));
  t.true(processes.length >= 2, 'the server and the app run under npm');

  // Ctrl-C signals the whole foreground group: the server hears it from the terminal and again from npm.
  process.kill(group ? -started.pid : started.pid, signal);
  await eventually(async () => {
    const alive = await Promise.all(processes.map((p) => isRunning(p.pid, p.start)));
    return !alive.includes(true);
  }, `every process under npm to end after ${signal}`, 20_000);
  await started.exited;
  t.true(await refused(started.url), 'the server no longer answers');
  t.true(await refused(started.url.replace(/:\d+$/, `:${new URL(site).port}`)), 'nor does the router');
});

test.serial('SIGTERM to the npm start PID stops the server and its apps', stopsByPid, 'SIGTERM');
test.serial('SIGINT to the npm start PID stops the server and its apps', stopsByPid, 'SIGINT');
test.serial('Ctrl-C (SIGINT to npm start\'s process group) stops the server and its apps', stopsByPid, 'SIGINT', true);

/** An IPv4 address of this machine other than loopback, if it has one. */
const outsideAddress = () => Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;

test.serial('by default the server listens on loopback only and says so; SLIPWAY_HOST=0.0.0.0 says all interfaces', async (t) => {
  const started = await npmStart(await tempDir('slipway-first-hour-host-'));
  t.regex(started.banner, /listening on http:\/\/127\.0\.0\.1:\d+ \(this machine only/);
  const outside = outsideAddress();
  if (outside) t.true(await refused(started.url, outside), `nothing answers on ${outside}`);
  process.kill(started.pid, 'SIGTERM');
  await started.exited;

  let wide: ServerProcess | undefined;
  try {
    wide = await startServerProcess({ SLIPWAY_DATA_DIR: await tempDir('slipway-first-hour-wide-'), SLIPWAY_RUNTIME: 'none', SLIPWAY_HOST: '0.0.0.0' });
    t.regex(wide.stderr(), /listening on http:\/\/127\.0\.0\.1:(\d+) \(all interfaces, port \1/);
  } finally {
    await wide?.stop();
  }
});

test('the webhook URLs warn when they point at loopback and no SLIPWAY_PUBLIC_URL is set', async (t) => {
  const origin = { kind: 'git', url: 'https://github.com/slipway-dev/example.git', revision: 'main' };
  const local = await startTestServer();
  const published = await startTestServer({ SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' });
  cleanups.push(local.close, published.close);
  for (const server of [local, published]) {
    t.is((await server.request('POST', '/api/v1/namespaces/workspace/applications', { name: 'hooked', origin })).status, 201);
  }
  const path = '/api/v1/namespaces/workspace/applications/hooked/webhook';
  const warned = await (await local.request('GET', path)).json() as { warning?: string };
  t.is(warned.warning, `GitHub cannot reach ${local.url}; set SLIPWAY_PUBLIC_URL to an address it can reach`);
  const fine = await (await published.request('GET', path)).json() as { warning?: string; urls: { github: string } };
  t.is(fine.urls.github, 'https://slipway.example.com/webhooks/github');
  t.is(fine.warning, undefined);
  // The CLI prints it under the instructions.
  const home = await makeTempDir('slipway-webhook-home-');
  cleanups.push(home.cleanup);
  const cli = await runCli(['app', 'webhook', 'hooked'], { HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'cfg'), SLIPWAY_URL: local.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: ADMIN_PASSWORD });
  t.is(cli.code, 0, cli.stderr);
  t.regex(cli.stdout, /^warning: GitHub cannot reach http:\/\/127\.0\.0\.1:\d+; set SLIPWAY_PUBLIC_URL/m);
});
