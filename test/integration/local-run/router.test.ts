import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { createSupervisor, type Supervisor } from '../../../controller/adapters/local/run/supervisor.ts';
import { createRouter, type Router, type RouteTarget } from '../../../controller/adapters/local/router/create-router.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { httpRequest, writeTestApp } from './test-apps.ts';

let dir: string;
let cleanup: () => Promise<void>;
let command: string[];
const supervisors: Supervisor[] = [];
const servers: Server[] = [];
const routers: Router[] = [];

test.before(async () => {
  ({ dir, cleanup } = await makeTempDir());
  command = await writeTestApp(dir);
});
test.after.always(async () => {
  await Promise.all(supervisors.map((supervisor) => supervisor.stop({ graceMs: 100 })));
  for (const server of servers) server.close();
  for (const router of routers) router.close();
  await cleanup();
});

async function release(env: Record<string, string>, instances = 1) {
  const supervisor = createSupervisor({ spec: { command, cwd: dir, env, instances }, log: () => {}, backoff: { initialMs: 50, maxMs: 400 }, readyTimeoutMs: 10_000, graceMs: 2000 });
  supervisors.push(supervisor);
  await supervisor.start();
  return supervisor;
}

async function routerServer(): Promise<{ router: Router; port: number }> {
  const router = createRouter({ systemDomain: 'localhost' });
  routers.push(router);
  const server = createServer((req, res) => {
    if (!router.handle(req, res)) res.end('api');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!router.handleUpgrade(req, socket, head)) socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { router, port: (server.address() as AddressInfo).port };
}

test('the API keeps the bare host; an unknown app under the system domain is a 404 problem', async (t) => {
  const { port } = await routerServer();
  t.is((await httpRequest(port, `localhost:${port}`, '/')).body, 'api');
  t.is((await httpRequest(port, 'example.com', '/')).body, 'api');
  const missing = await httpRequest(port, `nope.localhost:${port}`, '/x');
  t.is(missing.status, 404);
  t.is(missing.headers['content-type'], 'application/problem+json');
  t.like(JSON.parse(missing.body), { code: 'route_not_found', detail: 'no app answers on nope.localhost/x' });
});

test('no ready instance is a 503, an instance that does not answer a 502', async (t) => {
  const { router, port } = await routerServer();
  router.setRoute('empty.localhost', { kind: 'proxy', backends: () => [] });
  const empty = await httpRequest(port, 'empty.localhost', '/');
  t.is(empty.status, 503);
  t.is(JSON.parse(empty.body).code, 'no_ready_instance');
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  closed.close();
  router.setRoute('dead.localhost', { kind: 'proxy', backends: () => [{ port: deadPort }] });
  const dead = await httpRequest(port, 'dead.localhost', '/');
  t.is(dead.status, 502);
  t.is(JSON.parse(dead.body).code, 'bad_gateway');
});

test('request bodies stream to the app; path-prefix routes pick the longest prefix', async (t) => {
  const app = await release({ APP_ID: 'api' });
  const site = await makeTempDir();
  t.teardown(site.cleanup);
  await writeFile(join(site.dir, 'index.html'), '<h1>site</h1>');
  const { router, port } = await routerServer();
  router.setRoute('shop.localhost', { kind: 'static', root: site.dir });
  router.setRoute('shop.localhost/api', { kind: 'proxy', backends: app.backends });
  t.is((await httpRequest(port, 'shop.localhost', '/api/echo', { method: 'POST', body: 'x'.repeat(100_000) })).body.length, 100_000);
  t.is((await httpRequest(port, 'shop.localhost', '/api')).body, 'api undefined');
  t.is((await httpRequest(port, 'shop.localhost', '/apiary')).status, 404);
  const page = await httpRequest(port, 'SHOP.localhost:80', '/');
  t.is(page.body, '<h1>site</h1>');
  t.is(page.headers['content-type'], 'text/html; charset=utf-8');
  router.removeRoute('shop.localhost/api');
  t.is((await httpRequest(port, 'shop.localhost', '/api/echo')).status, 404);
});

test('static targets never serve outside their root', async (t) => {
  const site = await makeTempDir();
  t.teardown(site.cleanup);
  await mkdir(join(site.dir, 'root/docs'), { recursive: true });
  await writeFile(join(site.dir, 'secret.txt'), 'secret');
  await writeFile(join(site.dir, 'root/docs/index.html'), 'docs');
  await symlink(join(site.dir, 'secret.txt'), join(site.dir, 'root/link.txt'));
  const { router, port } = await routerServer();
  router.setRoute('files.localhost', { kind: 'static', root: join(site.dir, 'root') });
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/docs/%2E%2E/%2e%2e/secret.txt', '/..%2fsecret.txt', '/link.txt', '/%00']) {
    const answer = await httpRequest(port, 'files.localhost', path);
    t.not(answer.body, 'secret', path);
    t.true(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`);
  }
  const folder = await httpRequest(port, 'files.localhost', '/docs?x=1');
  t.is(folder.status, 301);
  t.is(folder.headers.location, '/docs/?x=1');
  const index = await httpRequest(port, 'files.localhost', '/docs/');
  t.is(index.body, 'docs');
  const head = await httpRequest(port, 'files.localhost', '/docs/index.html', { method: 'HEAD' });
  t.is(head.headers['content-length'], '4');
  t.truthy(head.headers.etag);
});

test('static sites refuse dotfiles but /.well-known/; a single-page app answers unknown routes with index.html', async (t) => {
  const site = await makeTempDir();
  t.teardown(site.cleanup);
  await mkdir(join(site.dir, '.github/workflows'), { recursive: true });
  await mkdir(join(site.dir, '.well-known'));
  await mkdir(join(site.dir, 'assets'));
  await writeFile(join(site.dir, 'index.html'), '<div id=app></div>');
  await writeFile(join(site.dir, 'assets/app.js'), 'run()');
  await writeFile(join(site.dir, '.env'), 'DATABASE_URL=postgres://u:p@db/x');
  await writeFile(join(site.dir, '.editorconfig'), 'root = true');
  await writeFile(join(site.dir, '.github/workflows/ci.yml'), 'on: push');
  await writeFile(join(site.dir, '.well-known/security.txt'), 'Contact: x');
  const { router, port } = await routerServer();
  router.setRoute('plain.localhost', { kind: 'static', root: site.dir });
  router.setRoute('spa.localhost', { kind: 'static', root: site.dir, fallback: 'index.html' });
  for (const host of ['plain.localhost', 'spa.localhost']) {
    for (const path of ['/.env', '/.editorconfig', '/.github/workflows/ci.yml', '/%2eenv', '/.github/']) {
      const answer = await httpRequest(port, host, path);
      t.is(answer.status, 404, `${host}${path}`);
      t.false(answer.body.includes('postgres') || answer.body.includes('<div'), `${host}${path}`);
    }
    t.is((await httpRequest(port, host, '/.well-known/security.txt')).body, 'Contact: x');
    t.is((await httpRequest(port, host, '/assets/missing.js')).status, 404, host);
  }
  t.is((await httpRequest(port, 'plain.localhost', '/users/42')).status, 404);
  const route = await httpRequest(port, 'spa.localhost', '/users/42?tab=1');
  t.is(route.status, 200);
  t.is(route.body, '<div id=app></div>');
  t.is(route.headers['content-type'], 'text/html; charset=utf-8');
  t.is((await httpRequest(port, 'spa.localhost', '/assets/app.js')).body, 'run()');
});

test('streaming responses pass through chunk by chunk', async (t) => {
  const app = await release({ APP_ID: 's' });
  const { router, port } = await routerServer();
  router.setRoute('stream.localhost', { kind: 'proxy', backends: app.backends });
  const first = await new Promise<{ chunk: string; rest: Promise<string> }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/stream', headers: { host: 'stream.localhost' }, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.once('data', (chunk: string) => {
        let rest = '';
        res.on('data', (more: string) => (rest += more));
        resolve({ chunk, rest: new Promise((done) => res.on('end', () => done(rest))) });
      });
    }).on('error', reject).end();
  });
  // The first chunk arrived while the app still holds the response open.
  t.is(first.chunk, 'first\n');
  await httpRequest(port, 'stream.localhost', '/release');
  t.is(await first.rest, 'second\n');
});

test('websockets pass through the router both ways', async (t) => {
  const app = await release({ APP_ID: 'ws' });
  const { router, port } = await routerServer();
  // Node's resolver does not map *.localhost to loopback, so this route is on the address itself.
  router.setRoute('127.0.0.1', { kind: 'proxy', backends: app.backends });
  const socket = new WebSocket(`ws://127.0.0.1:${port}/chat`);
  const replies: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.onerror = () => reject(new Error('websocket failed'));
    socket.onopen = () => {
      socket.send('hello');
      socket.send('again');
    };
    socket.onmessage = (event) => {
      replies.push(String(event.data));
      if (replies.length === 2) resolve();
    };
  });
  socket.close();
  t.deepEqual(replies, ['ws:hello', 'ws:again']);
});

test('switching a route between releases under load drops no request', async (t) => {
  const a = await release({ APP_ID: 'a' }, 2);
  const { router, port } = await routerServer();
  const targetA: RouteTarget = { kind: 'proxy', backends: a.backends };
  router.setRoute('switch.localhost', targetA);
  const answers: string[] = [];
  const failures: string[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      try {
        const answer = await httpRequest(port, 'switch.localhost', '/slow');
        if (answer.status === 200) answers.push(answer.body);
        else failures.push(`${answer.status} ${answer.body}`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const clients = Array.from({ length: 8 }, client);
  while (answers.length < 40) await new Promise((resolve) => setTimeout(resolve, 10));
  // The deploy sequence: start the new release, switch, drain the old target, stop it.
  const b = await release({ APP_ID: 'b' }, 2);
  router.setRoute('switch.localhost', { kind: 'proxy', backends: b.backends });
  await router.drain(targetA);
  await a.stop({ graceMs: 2000 });
  const switchedAt = answers.length;
  while (answers.length < switchedAt + 40) await new Promise((resolve) => setTimeout(resolve, 10));
  running = false;
  await Promise.all(clients);
  t.deepEqual(failures, []);
  t.true(answers.includes('a') && answers.includes('b'));
  t.true(answers.slice(switchedAt).every((answer) => answer === 'b'));
});
