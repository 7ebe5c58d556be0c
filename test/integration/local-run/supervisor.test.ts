import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { isSlipwayError } from '../../../core/errors.ts';
import { createSupervisor, type Supervisor } from '../../../controller/adapters/local/run/supervisor.ts';
import { createRouter, type Router } from '../../../controller/adapters/local/router/create-router.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { eventually, httpRequest, writeTestApp } from './test-apps.ts';

let dir: string;
let cleanup: () => Promise<void>;
let command: string[];
const supervisors: Supervisor[] = [];
const servers: Server[] = [];

test.before(async () => {
  ({ dir, cleanup } = await makeTempDir());
  command = await writeTestApp(dir);
});
test.after.always(async () => {
  await Promise.all(supervisors.map((supervisor) => supervisor.stop({ graceMs: 100 })));
  for (const server of servers) server.close();
  await cleanup();
});

function supervise(env: Record<string, string>, instances: number, backoff = { initialMs: 50, maxMs: 400 }) {
  const supervisor = createSupervisor({ spec: { command, cwd: dir, env, instances }, log: () => {}, backoff, readyTimeoutMs: 10_000, graceMs: 2000 });
  supervisors.push(supervisor);
  return supervisor;
}

/** The router on a plain node:http server, the way the main server wires it. */
async function serve(router: Router): Promise<number> {
  const server = createServer((req, res) => {
    if (!router.handle(req, res)) res.end('api');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!router.handleUpgrade(req, socket, head)) socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('three instances answer round-robin through the router', async (t) => {
  const supervisor = supervise({ APP_ID: 'web' }, 3);
  await supervisor.start();
  t.like(supervisor.status(), { phase: 'running', desired: 3, ready: 3, restarts: 0 });
  const router = createRouter({ systemDomain: 'localhost' });
  router.setRoute('web.localhost', { kind: 'proxy', backends: supervisor.backends });
  const port = await serve(router);
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) answers.push((await httpRequest(port, `Web.LocalHost:${port}`, '/port')).body);
  // Each instance answers with its own PORT: three different ones, in turn.
  t.deepEqual(new Set(answers), new Set(supervisor.backends().map((backend) => String(backend.port))));
  t.deepEqual(answers.slice(3), answers.slice(0, 3));
  const headers = JSON.parse((await httpRequest(port, `web.localhost:${port}`, '/headers')).body) as Record<string, string>;
  t.is(headers['x-forwarded-host'], `web.localhost:${port}`);
  t.is(headers['x-forwarded-proto'], 'http');
  t.is(headers['x-forwarded-for'], '127.0.0.1');
  t.is((await httpRequest(port, `localhost:${port}`, '/')).body, 'api');
  router.close();
});

test('a crashing instance is restarted with backoff and its status shows it', async (t) => {
  const supervisor = supervise({ MODE: 'crash', CRASH_AFTER: '1', APP_ID: 'c' }, 1);
  await supervisor.start();
  const first = supervisor.backends()[0]!.port;
  await fetch(`http://127.0.0.1:${first}/`);
  await fetch(`http://127.0.0.1:${first}/`).catch(() => undefined);
  await eventually(() => supervisor.status().restarts >= 1 && supervisor.status().phase === 'running', 'a restart', 10_000);
  const next = supervisor.backends()[0]!.port;
  t.not(next, first);
  // Crash it again: the status says why while it waits.
  await fetch(`http://127.0.0.1:${next}/`);
  await fetch(`http://127.0.0.1:${next}/`).catch(() => undefined);
  await eventually(() => supervisor.status().phase === 'crashed', 'the crash to show', 5000);
  t.regex(supervisor.status().message ?? '', /instance 1 exited with code 3: crashing after 1 requests/);
  await eventually(() => supervisor.status().restarts >= 2 && supervisor.status().phase === 'running', 'a second restart', 10_000);
});

test('a release that fails to start rejects and leaves nothing running', async (t) => {
  const supervisor = supervise({ MODE: 'exit' }, 2);
  const error = await t.throwsAsync(supervisor.start());
  t.true(isSlipwayError(error, 'deploy_failed'));
  t.like(supervisor.status(), { phase: 'stopped', ready: 0 });
  t.deepEqual(supervisor.backends(), []);
});

test('a rolling restart replaces every instance and keeps one ready throughout', async (t) => {
  const supervisor = supervise({ APP_ID: 'r' }, 2);
  const readyCounts: number[] = [];
  await supervisor.start();
  const before = supervisor.backends().map((backend) => backend.port);
  const watch = setInterval(() => readyCounts.push(supervisor.backends().length), 5);
  await supervisor.restart();
  clearInterval(watch);
  const after = supervisor.backends().map((backend) => backend.port);
  t.is(after.length, 2);
  t.false(after.some((port) => before.includes(port)));
  t.true(readyCounts.every((count) => count >= 1));
  t.like(supervisor.status(), { phase: 'running', ready: 2 });
  await supervisor.stop();
  t.like(supervisor.status(), { phase: 'stopped', ready: 0 });
});
