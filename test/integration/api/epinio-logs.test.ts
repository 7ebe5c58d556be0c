/**
 * Epinio's staging-log WebSocket as `epinio push` opens it (epinio/epinio v1.13.10 and
 * v1.14.1, `pkg/api/core/v1/client/apps.go` AppLogs): `GET /api/v1/authtoken`, then
 * `/wapi/v1/namespaces/NS/staging/ID/logs?authtoken=T&follow=true&stage_id=ID`, read
 * with Node's own WebSocket client against a real server on the local runtime. The
 * build is held at a gate so the test sees a line arrive while the stage still runs,
 * then the rest and a normal close once it ends.
 */
import test from 'ava';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { startTestServer, basic, ADMIN_PASSWORD, type TestServer } from '../../helpers/test-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { hashPassword } from '../../../controller/auth/password-hash.ts';
import { loadUsers } from '../../../controller/auth/user-store.ts';
import { issueAuthToken } from '../../../controller/api/epinio/auth-token.ts';

let server: TestServer;
let gateDir: string;
const cleanups: (() => Promise<unknown>)[] = [];
const AUTH = basic('admin', ADMIN_PASSWORD);
const DEV = basic('dev', 'dev-password');

test.before(async () => {
  const temp = await makeTempDir('slipway-epinio-logs-');
  cleanups.push(temp.cleanup);
  gateDir = temp.dir;
  const usersFile = join(temp.dir, 'users.json');
  await writeFile(usersFile, JSON.stringify({ users: [{ username: 'dev', passwordHash: await hashPassword('dev-password'), namespaces: ['team-a'] }] }));
  server = await startTestServer({ SLIPWAY_RUNTIME: 'local', SLIPWAY_USERS_FILE: usersFile, SLIPWAY_READY_TIMEOUT_MS: '8000', SLIPWAY_STOP_GRACE_MS: '1000' });
  await server.request('POST', '/api/v1/namespaces', { name: 'team-a' });
});
test.after.always(async () => {
  await server?.close();
  await Promise.all(cleanups.map((c) => c()));
});

/** As Go's `http.NewRequest` sends a JSON body: no Content-Type. */
async function epinio(method: string, path: string, body?: unknown, auth = AUTH): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/api/v1/${path}`, { method, headers: { authorization: auth }, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => tar.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) tar.entry({ name, mode: 0o644 }, content);
  tar.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** v1.14's push up to the point the CLI opens the logs: create, store, deployments, poll until a `stage_id`. */
async function startPush(t: any, name: string, gate: string): Promise<{ stageId: string; deployment: string }> {
  t.is((await epinio('POST', 'namespaces/workspace/applications', { name, configuration: { instances: null, configurations: null, environment: null, routes: null } })).status, 201);
  // The build prints a line, then waits for the test to open the gate.
  const build = `echo first-build-line && while [ ! -f ${gate} ]; do sleep 0.05; done && echo second-build-line`;
  const tar = await tarOf({
    'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)\n',
    'package.json': JSON.stringify({ name, private: true, scripts: { build, start: 'node server.js' } }),
  });
  const boundary = randomBytes(30).toString('hex');
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob.tar"\r\nContent-Type: application/octet-stream\r\n\r\n`), tar, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const stored = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/${name}/store`, { method: 'POST', headers: { authorization: AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
  const { blobuid } = await stored.json() as { blobuid: string };
  const started = await epinio('POST', `namespaces/workspace/applications/${name}/deployments`, { app: { name, namespace: 'workspace', createdAt: null }, blobuid, origin: { Kind: 1, path: '/src' } });
  t.is(started.status, 202, JSON.stringify(started.json));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await epinio('GET', `namespaces/workspace/applications/${name}/deployments/${started.json.id}`);
    if (status.json.stage_id) return { stageId: status.json.stage_id, deployment: started.json.id };
    if (Date.now() > deadline) throw new Error(`no stage_id: ${JSON.stringify(status.json)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The URL `AppLogs` builds: `url.Values.Encode()` sorts the keys. */
function stagingUrl(namespace: string, stageId: string, token: string): string {
  const query = new URLSearchParams({ authtoken: token, follow: 'true', stage_id: stageId });
  return `${server.url.replace(/^http/, 'ws')}/wapi/v1/namespaces/${namespace}/staging/${stageId}/logs?${query}`;
}

/** A WebSocket handshake with node:http, to read the HTTP answer of a refused one. */
function handshake(path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode!, body: undefined });
    });
    req.on('error', reject);
    req.end();
  });
}

test.serial('a stage\'s build lines stream as they come, then the socket closes normally', async (t) => {
  const gate = join(gateDir, 'gate-live');
  const { stageId, deployment } = await startPush(t, 'live', gate);
  const token = (await epinio('GET', 'authtoken')).json.token as string;
  const ws = new WebSocket(stagingUrl('workspace', stageId, token));
  const messages: any[] = [];
  let firstSeen!: () => void;
  const first = new Promise<void>((resolve) => { firstSeen = resolve; });
  ws.addEventListener('message', (event) => {
    const line = JSON.parse(String(event.data));
    messages.push(line);
    if (String(line.Message).trim() === 'first-build-line') firstSeen();
  });
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
  await Promise.race([first, closed]);
  t.true(messages.some((m) => String(m.Message).trim() === 'first-build-line'), 'a build line before the stage ends');
  // The stage still runs (the build waits at its gate): the line came live.
  t.is((await epinio('GET', `namespaces/workspace/applications/live/deployments/${deployment}`)).json.status, 'staging');
  // (npm echoes the whole command first, which names both lines: compare whole lines.)
  t.false(messages.some((m) => String(m.Message).trim() === 'second-build-line'));
  await writeFile(gate, '');
  const close = await closed;
  t.is(close.code, 1000);
  t.true(close.wasClean);
  const texts = messages.map((m) => m.Message as string);
  t.true(texts.some((m) => m.trim() === 'second-build-line'), texts.join('\n'));
  t.is(texts.at(-1), 'stage succeeded');
  // Each message is a `tailer.ContainerLogLine`, with its Go field names.
  for (const m of messages) t.deepEqual(Object.keys(m).sort(), ['ContainerName', 'Message', 'Namespace', 'PodName', 'Timestamp']);
  t.like(messages[0], { Namespace: 'workspace', PodName: `stage-${stageId}` });
});

test.serial('a finished stage\'s log is sent whole and closed; refused tokens and namespaces get 401/403 before the upgrade', async (t) => {
  const gate = join(gateDir, 'gate-done');
  await writeFile(gate, '');
  const { stageId } = await startPush(t, 'done', gate);
  const deadline = Date.now() + 30_000;
  while ((await epinio('GET', `namespaces/workspace/staging/${stageId}/complete?timeout=1`)).json.phase !== 'succeeded') {
    if (Date.now() > deadline) t.fail('stage did not finish');
  }
  const token = (await epinio('GET', 'authtoken')).json.token as string;
  const ws = new WebSocket(stagingUrl('workspace', stageId, token));
  const texts: string[] = [];
  ws.addEventListener('message', (event) => texts.push(JSON.parse(String(event.data)).Message));
  const close = await new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
  t.is(close.code, 1000);
  t.true(texts.some((m) => m.trim() === 'second-build-line'));

  const path = (tok: string, ns = 'workspace', id = stageId) => `/wapi/v1/namespaces/${ns}/staging/${id}/logs?${new URLSearchParams({ authtoken: tok, follow: 'true', stage_id: id })}`;
  const missing = await handshake(`/wapi/v1/namespaces/workspace/staging/${stageId}/logs?follow=true`);
  t.is(missing.status, 401);
  t.is(missing.body.errors[0].status, 401);
  t.regex(missing.body.errors[0].title, /authtoken/);
  const forged = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  t.is((await handshake(path(forged))).status, 401);
  const [admin] = (await loadUsers(server.config.auth.usersFile)).filter((u) => u.username === 'admin');
  t.is((await handshake(path(issueAuthToken(admin!, Date.now() - 61_000)))).status, 401, 'expired');
  t.is((await handshake(path(issueAuthToken(admin!, Date.now())))).status, 101, 'a token made the same way but current is accepted');
  const devToken = (await epinio('GET', 'authtoken', undefined, DEV)).json.token as string;
  const other = await handshake(path(devToken));
  t.is(other.status, 403);
  t.is(other.body.code, 'forbidden');
  t.is((await handshake(path(token, 'workspace', 'nosuchstage'))).status, 404);
  t.is((await handshake(`/wapi/v1/nothing?authtoken=${token}`)).status, 404);
  t.is((await handshake(`/wapi/v1/namespaces/%E0/staging/x/logs?authtoken=${token}`)).status, 400, 'bad percent-encoding is the caller\'s error, not a 500');
});

test.serial('epinio app logs: the app\'s lines on its WebSocket, a normal close without follow', async (t) => {
  const gate = join(gateDir, 'gate-app');
  await writeFile(gate, '');
  const { deployment } = await startPush(t, 'applog', gate);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = (await epinio('GET', `namespaces/workspace/applications/applog/deployments/${deployment}`)).json.status;
    if (status === 'succeeded') break;
    if (status === 'failed' || Date.now() > deadline) return t.fail(`deployment ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const token = (await epinio('GET', 'authtoken')).json.token as string;
  // `epinio app logs applog`: no stage_id, follow=false.
  const query = new URLSearchParams({ authtoken: token, follow: 'false' });
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/wapi/v1/namespaces/workspace/applications/applog/logs?${query}`);
  const messages: any[] = [];
  ws.addEventListener('message', (event) => messages.push(JSON.parse(String(event.data))));
  const close = await new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
  t.is(close.code, 1000);
  t.true(messages.some((m) => /serves/.test(m.Message) && m.ContainerName === 'slipway'), JSON.stringify(messages));
  t.is((await handshake(`/wapi/v1/namespaces/workspace/applications/nosuch/logs?authtoken=${token}`)).status, 404);
});
