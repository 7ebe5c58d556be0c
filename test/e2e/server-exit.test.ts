/**
 * How a real `slipway server` process starts and ends: started through the executable's
 * `#!` line (which lacks the server's V8 flags) it replaces itself with a node that has
 * them, keeping its PID; SIGTERM or SIGINT shut it down cleanly, and it then ends by that
 * signal, never through `process.exit` (controller/startup/exit-by-signal.ts).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CLI_BIN, REPO_ROOT, startServerProcess } from '../helpers/server-process.ts';
import { startKubeWorld } from '../helpers/kube-server.ts';
import { emulatorCredentials } from '../helpers/s3-emulator.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { eventually } from '../helpers/app-request.ts';

const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => { for (const c of cleanups.reverse()) await c(); });

/** `slipway server` run as an executable, the way an installed `slipway` starts. */
async function startExecutable(dataDir: string) {
  const child = spawn(CLI_BIN, ['server'], {
    cwd: REPO_ROOT,
    env: {
      // The `#!` line's `env` finds node on PATH: this test's node first.
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: process.env.HOME,
      SLIPWAY_DATA_DIR: dataDir, SLIPWAY_PORT: '0', SLIPWAY_HOST: '127.0.0.1', SLIPWAY_RUNTIME: 'none', SLIPWAY_LOG_LEVEL: 'info', SLIPWAY_ADMIN_PASSWORD: 'exit-test-password',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await ended; });
  await eventually(() => /listening on http:\/\/\S+/.test(stderr) || child.exitCode !== null, 'the banner', 30_000);
  const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
  if (!url) throw new Error(`the server did not start:\n${stderr}`);
  return { child, url, ended, stdout: () => stdout, stderr: () => stderr };
}

const endsBy = test.macro(async (t, signal: NodeJS.Signals) => {
  const temp = await makeTempDir('slipway-server-exit-');
  cleanups.push(temp.cleanup);
  const server = await startExecutable(temp.dir);
  const pid = server.child.pid!;
  // The same process (PID), now with the server's flags: the replacement kept it.
  const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  t.true(commandLine.includes('--optimize-for-size'), commandLine.join(' '));
  t.true(commandLine.includes('--max-semi-space-size=1'), commandLine.join(' '));
  t.is((await fetch(`${server.url}/healthz`)).status, 200);

  server.child.kill(signal);
  const ended = await server.ended;
  t.deepEqual(ended, { code: null, signal }, 'it ends by the signal it was sent, after its shutdown');
  // Its last log lines were flushed before it ended, and the shutdown released the lock.
  t.regex(server.stdout(), new RegExp(`"signal":"${signal}".*"msg":"shutting down"`));
  await t.throwsAsync(access(join(temp.dir, 'slipway.lock')), undefined, 'the lock is released');
});

test('`slipway server` started by its #! line gets the server flags; SIGTERM ends it by SIGTERM after a clean shutdown', endsBy, 'SIGTERM');
test('SIGINT (Ctrl-C) ends it by SIGINT after a clean shutdown', endsBy, 'SIGINT');

test('a replica that loses the controller Lease ends by SIGTERM at once, saying why', async (t) => {
  const w = await startKubeWorld();
  cleanups.push(() => w.close());
  const temp = await makeTempDir('slipway-server-exit-lease-');
  cleanups.push(temp.cleanup);
  const server = await startServerProcess({
    SLIPWAY_DATA_DIR: temp.dir, SLIPWAY_RUNTIME: 'kubernetes', KUBECONFIG: await w.kube.writeKubeconfig(temp.dir), SLIPWAY_ADMIN_PASSWORD: 'exit-test-password',
    SLIPWAY_S3_ENDPOINT: w.s3.endpoint, SLIPWAY_S3_BUCKET: 'slipway-test', AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
    SLIPWAY_REGISTRY: 'registry.test', SLIPWAY_SYSTEM_DOMAIN: 'apps.test', SLIPWAY_LEASE_DURATION_MS: '1500', SLIPWAY_POD_NAME: 'replica-a',
  });
  cleanups.push(async () => { await server.stop('SIGKILL'); });
  const lease = () => w.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as { spec?: { holderIdentity?: string } } | undefined;
  await eventually(() => lease()?.spec?.holderIdentity === 'replica-a', 'the replica to lead');
  // From now on the API server refuses every write of the Lease: renewals fail past the deadline.
  w.kube.faults.fail({ times: 1_000_000, status: 500, match: (req) => req.method !== 'GET' && req.path.includes('/leases') });
  const ended = await Promise.race([server.ended, new Promise((resolve) => setTimeout(resolve, 20_000, 'still running after 20 s')).then(String)]);
  t.is(ended, 'SIGTERM', server.stdout());
  t.regex(server.stdout(), /lost the controller Lease: exiting so that Kubernetes restarts this replica as a standby/);
});
