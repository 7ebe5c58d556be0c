/**
 * The dashboard's sign-in, session cookie and CSRF rules over real HTTP, without a
 * browser: what a crafted request gets, and that BasicAuth clients see no change.
 */
import test from 'ava';
import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestServer, basic, ADMIN_PASSWORD, type TestServer } from '../helpers/test-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { REPO_ROOT } from '../helpers/server-process.ts';
import { hashPassword } from '../../controller/auth/password-hash.ts';

let server: TestServer;
let secureServer: TestServer;
let usersFile: string;
const cleanups: (() => Promise<unknown>)[] = [];
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

test.before(async () => {
  const temp = await makeTempDir('slipway-ui-users-');
  cleanups.push(temp.cleanup);
  usersFile = join(temp.dir, 'users.json');
  await writeFile(usersFile, JSON.stringify({ users: [{ username: 'alice', passwordHash: await hashPassword('alice-password'), namespaces: ['team-a'] }] }));
  server = await startTestServer({ SLIPWAY_USERS_FILE: usersFile });
  secureServer = await startTestServer({ SLIPWAY_PUBLIC_URL: 'https://slipway.example.com' });
  cleanups.push(() => server.close(), () => secureServer.close());
  const created = await server.request('POST', '/api/v1/namespaces', { name: 'team-a' });
  if (created.status !== 201) throw new Error(`team-a: ${created.status}`);
});
test.after.always(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** Signs in through the form; returns the Set-Cookie header and the `name=value` pair. */
async function signIn(s: TestServer, username = 'admin', password = ADMIN_PASSWORD, headers: Record<string, string> = {}) {
  const response = await fetch(`${s.url}/ui/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.url, ...headers }, body: form({ username, password, next: '/ui/' }),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  return { response, setCookie, cookie: setCookie.split(';')[0]! };
}

/** The CSRF token a signed-in page carries. */
async function csrfOf(s: TestServer, cookie: string): Promise<string> {
  const page = await (await fetch(`${s.url}/ui/`, { headers: { cookie } })).text();
  return /name="csrf-token" content="([^"]+)"/.exec(page)![1]!;
}

test('/ goes to the dashboard, and the dashboard to sign-in with a form of username, password and a submit button', async (t) => {
  const root = await fetch(`${server.url}/`, { redirect: 'manual' });
  t.is(root.status, 302);
  t.is(root.headers.get('location'), '/ui/');
  const list = await fetch(`${server.url}/ui/`, { redirect: 'manual' });
  t.is(list.headers.get('location'), '/ui/login?next=%2Fui%2F');
  const login = await fetch(`${server.url}/ui/login`);
  const page = await login.text();
  t.regex(page, /<input id="username" name="username"/);
  t.regex(page, /<input id="password" name="password" type="password"/);
  t.regex(page, /<button type="submit">/);
  t.regex(login.headers.get('content-security-policy') ?? '', /script-src 'self'/);
});

test('signing in sets an HttpOnly, SameSite=Strict cookie with an expiry, not Secure over plain HTTP; a wrong password gets the code and no cookie', async (t) => {
  const { response, setCookie } = await signIn(server);
  t.is(response.status, 303);
  t.is(response.headers.get('location'), '/ui/');
  t.regex(setCookie, /^slipway_session=[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
  const wrong = await signIn(server, 'admin', 'nope');
  t.is(wrong.response.status, 401);
  t.is(wrong.setCookie, '');
  t.regex(await wrong.response.text(), /<code>unauthorized<\/code>: wrong username or password/);
});

test('over HTTPS (the host of an https SLIPWAY_PUBLIC_URL) the cookie is Secure and __Host- prefixed; X-Forwarded-Proto alone is not trusted', async (t) => {
  const send = (method: string, path: string, headers: Record<string, string>, body = '') => new Promise<{ status: number; setCookie: string }>((resolve, reject) => {
    const req = httpRequest(`${secureServer.url}${path}`, { method, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, setCookie: String(res.headers['set-cookie'] ?? '') });
    });
    req.on('error', reject);
    req.end(body);
  });
  const login = (headers: Record<string, string>) => send('POST', '/ui/login', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, form({ username: 'admin', password: ADMIN_PASSWORD }));
  const overHttps = { host: 'slipway.example.com', origin: 'https://slipway.example.com' };
  const secure = await login(overHttps);
  t.regex(secure.setCookie, /^__Host-slipway_session=[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure$/);
  const plain = await login({ 'x-forwarded-proto': 'https' });
  t.regex(plain.setCookie, /^slipway_session=/);
  t.notRegex(plain.setCookie, /Secure/);
  // On the HTTPS host only the prefixed cookie counts: one planted without the prefix does not.
  const token = secure.setCookie.slice('__Host-slipway_session='.length).split(';')[0]!;
  t.is((await send('GET', '/api/v1/namespaces', { host: 'slipway.example.com', cookie: `__Host-slipway_session=${token}` })).status, 200);
  t.is((await send('GET', '/api/v1/namespaces', { host: 'slipway.example.com', cookie: `slipway_session=${token}` })).status, 401);
});

test('a session reads the API; a change needs the CSRF token and this server\'s origin', async (t) => {
  const { cookie } = await signIn(server);
  const csrf = await csrfOf(server, cookie);
  const apps = '/api/v1/namespaces/workspace/applications';
  const call = async (headers: Record<string, string>, name: string) => {
    const response = await fetch(`${server.url}${apps}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name }) });
    return response.status === 201 ? 201 : `${response.status} ${((await response.json()) as { code?: string }).code}`;
  };
  t.is((await fetch(`${server.url}${apps}`, { headers: { cookie } })).status, 200);
  t.is(await call({}, 'a'), '403 csrf_refused');
  t.is(await call({ 'x-csrf-token': 'forged' }, 'a'), '403 csrf_refused');
  t.is(await call({ 'x-csrf-token': csrf, origin: 'http://evil.example' }, 'a'), '403 cross_origin');
  t.is(await call({ 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' }, 'a'), '403 cross_origin');
  t.is(await call({ 'x-csrf-token': csrf, origin: server.url, 'sec-fetch-site': 'same-origin' }, 'a'), 201);
  const list = await (await fetch(`${server.url}${apps}`, { headers: { cookie } })).json() as { metadata: { name: string } }[];
  t.true(list.some((app) => app.metadata.name === 'a'), 'the app was created');
});

/** POSTs `{name}` to `path` through `agent` (one kept-alive socket); answers the status and the socket used. */
function postOn(agent: Agent, cookie: string, path: string, headers: Record<string, string>, name: string) {
  return new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
    const body = JSON.stringify({ name });
    const req = httpRequest(`${server.url}${path}`, {
      method: 'POST', agent, headers: { cookie, origin: server.url, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, socket: req.socket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a refused change leaves the kept-alive connection usable: the next request on it is answered once', async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const admin = await signIn(server);
  const csrf = await csrfOf(server, admin.cookie);
  const refused = await postOn(agent, admin.cookie, '/api/v1/namespaces/workspace/applications', {}, 'kept-alive');
  t.is(refused.status, 403);
  const accepted = await postOn(agent, admin.cookie, '/api/v1/namespaces/workspace/applications', { 'x-csrf-token': csrf }, 'kept-alive');
  t.is(accepted.status, 201);
  t.is(accepted.socket, refused.socket, 'the same connection served both');
  // The same for a namespace the user may not use (refused before the body is parsed).
  const alice = await signIn(server, 'alice', 'alice-password');
  const aliceCsrf = await csrfOf(server, alice.cookie);
  const forbidden = await postOn(agent, alice.cookie, '/api/v1/namespaces/workspace/applications', { 'x-csrf-token': aliceCsrf }, 'not-hers');
  t.is(forbidden.status, 403);
  const own = await postOn(agent, alice.cookie, '/api/v1/namespaces/team-a/applications', { 'x-csrf-token': aliceCsrf }, 'kept-alive');
  t.is(own.status, 201);
  t.is(own.socket, forbidden.socket);
});

test('BasicAuth clients are unchanged: no CSRF token needed, and a 401 still asks for BasicAuth (but not of the dashboard)', async (t) => {
  t.is((await server.request('POST', '/api/v1/namespaces/workspace/applications', { name: 'basic-client' })).status, 201);
  const anonymous = await fetch(`${server.url}/api/v1/namespaces`);
  t.is(anonymous.status, 401);
  t.regex(anonymous.headers.get('www-authenticate') ?? '', /^Basic /);
  const stale = await fetch(`${server.url}/api/v1/namespaces`, { headers: { cookie: 'slipway_session=forged.1.2.3' } });
  t.is(stale.status, 401);
  t.is(stale.headers.get('www-authenticate'), null);
  // BasicAuth wins over a cookie: a wrong password is a 401 even with a valid session.
  const { cookie } = await signIn(server);
  t.is((await fetch(`${server.url}/api/v1/namespaces`, { headers: { cookie, authorization: basic('admin', 'wrong') } })).status, 401);
});

test('a user sees and changes only its namespaces, in pages and through the API', async (t) => {
  const { cookie } = await signIn(server, 'alice', 'alice-password');
  const csrf = await csrfOf(server, cookie);
  const page = await fetch(`${server.url}/ui/?ns=workspace`, { headers: { cookie } });
  t.is(page.status, 403);
  t.regex(await page.text(), /<code>forbidden<\/code>/);
  const own = await (await fetch(`${server.url}/ui/`, { headers: { cookie } })).text();
  t.regex(own, /<option value="team-a" selected>team-a<\/option><\/select>/);
  t.notRegex(own, /value="workspace"/);
  const write = await fetch(`${server.url}/api/v1/namespaces/workspace/applications`, {
    method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ name: 'b' }),
  });
  t.is(write.status, 403);
  t.is(((await write.json()) as { code?: string }).code, 'forbidden');
});

test('signing out needs the CSRF token, and ends the session', async (t) => {
  const { cookie } = await signIn(server);
  const csrf = await csrfOf(server, cookie);
  const logout = (fields: Record<string, string>) => fetch(`${server.url}/ui/logout`, {
    method: 'POST', redirect: 'manual', headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields),
  });
  t.is((await logout({ csrf: 'forged' })).status, 403);
  t.is((await fetch(`${server.url}/api/v1/namespaces`, { headers: { cookie } })).status, 200);
  const out = await logout({ csrf });
  t.is(out.status, 303);
  t.is(out.headers.get('location'), '/ui/login');
  t.regex(out.headers.get('set-cookie') ?? '', /^slipway_session=; Path=\/; Max-Age=0;/);
  t.is((await fetch(`${server.url}/api/v1/namespaces`, { headers: { cookie } })).status, 401);
});

test('a session is accepted by another server with the same users (a restart, a second replica), and refused once the password changes', async (t) => {
  const { cookie } = await signIn(server, 'alice', 'alice-password');
  const replica = await startTestServer({ SLIPWAY_USERS_FILE: usersFile });
  t.teardown(() => replica.close());
  t.is((await fetch(`${replica.url}/api/v1/namespaces`, { headers: { cookie } })).status, 200);
  const users = JSON.parse(await readFile(usersFile, 'utf8')) as { users: { username: string; passwordHash: string }[] };
  const alice = users.users.find((u) => u.username === 'alice')!;
  alice.passwordHash = await hashPassword('a-new-password');
  const changed = await makeTempDir('slipway-ui-users-changed-');
  t.teardown(() => changed.cleanup());
  await writeFile(join(changed.dir, 'users.json'), JSON.stringify(users));
  const afterChange = await startTestServer({ SLIPWAY_USERS_FILE: join(changed.dir, 'users.json') });
  t.teardown(() => afterChange.close());
  t.is((await fetch(`${afterChange.url}/api/v1/namespaces`, { headers: { cookie } })).status, 401);
});

test('sign-in refuses other sites and only returns to dashboard paths', async (t) => {
  const foreign = await signIn(server, 'admin', ADMIN_PASSWORD, { origin: 'http://evil.example' });
  t.is(foreign.response.status, 403);
  t.is(foreign.setCookie, '');
  const response = await fetch(`${server.url}/ui/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ username: 'admin', password: ADMIN_PASSWORD, next: '//evil.example/ui/' }),
  });
  t.is(response.headers.get('location'), '/ui/');
});

test('the dashboard ships its script modules as they are, well under 100 KB gzipped together', async (t) => {
  const folder = join(REPO_ROOT, 'controller/ui/assets');
  const names = (await readdir(folder)).filter((name) => name.endsWith('.js'));
  t.true(names.includes('ui.js'));
  let gzipped = 0;
  for (const name of names) {
    const script = await fetch(`${server.url}/ui/assets/${name}`);
    t.is(script.status, 200, name);
    t.is(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const body = await script.text();
    t.is(body, await readFile(join(folder, name), 'utf8'));
    gzipped += gzipSync(body).length;
    t.is((await fetch(`${server.url}/ui/assets/${name}`, { headers: { 'if-none-match': script.headers.get('etag')! } })).status, 304);
  }
  t.true(gzipped < 100 * 1024, `${gzipped} bytes gzipped`);
  t.is((await fetch(`${server.url}/ui/assets/constructor`)).status, 404);
});
