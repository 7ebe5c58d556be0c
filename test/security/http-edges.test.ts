/**
 * Issue 9.9, 9.10, 9.12: bad requests get a clear JSON problem at once — bodies
 * declared too large, environments no process could receive, wrong methods, unknown
 * stages — against the real server process.
 */
import test from 'ava';
import { connect } from 'node:net';
import { startRig, staticSite, type Rig } from '../helpers/security-rig.ts';

let rig: Rig;
test.before(async () => {
  rig = await startRig();
});
test.after.always(() => rig?.close());

const base = '/api/v1/namespaces/workspace/applications';

/** Sends raw request bytes and resolves with everything the server wrote until it closed, or what it wrote within `ms`. */
function rawExchange(head: string, ms: number): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(rig.server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => { socket.destroy(); resolve({ text, closed: false }); }, ms);
    socket.on('data', (chunk) => { text += chunk.toString(); });
    socket.on('close', () => { clearTimeout(timer); resolve({ text, closed: true }); });
    socket.on('error', reject);
    socket.write(head);
  });
}

test('a JSON body declared at 10 GiB is refused with 413 at once, and the connection is closed', async (t) => {
  const auth = Buffer.from('admin:security-admin-password').toString('base64');
  const started = Date.now();
  const { text, closed } = await rawExchange(
    `POST ${base} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${auth}\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{"name":`,
    5_000,
  );
  t.regex(text, /^HTTP\/1\.1 413 /);
  t.regex(text, /"code":"too_large"/);
  t.true(closed, 'the server closed the connection instead of waiting for 10 GiB');
  t.true(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
});

const badEnv = test.macro({
  async exec(t, environment: Record<string, string>, problem: RegExp) {
    await rig.request('POST', base, { name: 'envapp' });
    const answer = await rig.request('PATCH', `${base}/envapp`, { configuration: { environment } });
    const body = await answer.json() as { code: string; detail: string };
    t.is(answer.status, 400, JSON.stringify(body));
    t.is(body.code, 'invalid_request');
    t.regex(body.detail, problem);
    const app = await (await rig.request('GET', `${base}/envapp`)).json() as { spec: { env: Record<string, string> } };
    t.deepEqual(app.spec.env, {}, 'nothing was stored');
  },
  title: (name) => `an environment ${name} is refused with 400`,
});
test.serial('with a NUL byte', badEnv, { TOKEN: 'abc\u0000def' }, /TOKEN: .*NUL/);
test.serial('with a value over 64 KiB', badEnv, { BLOB: 'x'.repeat(200 * 1024) }, /BLOB: a value is at most 65536 bytes/);
test.serial('over 512 KiB in all', badEnv, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`V${i}`, 'x'.repeat(60 * 1024)])), /at most 524288 bytes in all/);

test('an app with a large, valid environment still deploys', async (t) => {
  const run = await rig.deploy('workspace', 'bigenv', staticSite('ok'), undefined, { environment: { BIG: 'y'.repeat(60 * 1024), OTHER: 'z' } });
  t.is(run.phase, 'succeeded', JSON.stringify(run));
});

const wrongMethod = test.macro({
  async exec(t, method: string, path: string) {
    const answer = await rig.request(method, path, method === 'PUT' ? {} : undefined);
    t.is(answer.status, 405);
    t.regex(answer.headers.get('content-type') ?? '', /json/);
    const body = await answer.json() as { code: string; detail: string };
    t.is(body.code, 'method_not_allowed');
    t.regex(body.detail, new RegExp(`${method} is not allowed`));
    t.truthy(answer.headers.get('allow'));
  },
  title: (_, method, path) => `${method} ${path} answers a 405 JSON problem naming the allowed methods`,
});
test(wrongMethod, 'PUT', '/api/v1/namespaces');
test(wrongMethod, 'GET', '/webhooks/github');

test('staging logs of an unknown stage answer 404 stage_not_found, like complete', async (t) => {
  for (const path of ['logs', 'complete']) {
    const answer = await rig.request('GET', `/api/v1/namespaces/workspace/staging/20990101000000abcdef/${path}`);
    t.is(answer.status, 404, path);
    t.like(await answer.json(), { code: 'stage_not_found' });
  }
});
