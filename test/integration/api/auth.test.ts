import test from 'ava';
import { startTestServer, basic, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(() => server?.close());

test('health endpoints need no credentials', async (t) => {
  t.is((await server.request('GET', '/healthz', undefined, { auth: false })).status, 200);
  t.is((await server.request('GET', '/readyz', undefined, { auth: false })).status, 200);
});

test('the admin user reaches the API', async (t) => {
  const response = await server.request('GET', '/api/v1/info');
  t.is(response.status, 200);
  t.like(await response.json(), { runtime: 'none', blobStore: 'filesystem', systemDomain: 'localhost', defaultNamespace: 'workspace' });
});

const refused = test.macro({
  async exec(t, auth: string | false, path: string = '/api/v1/info') {
    const response = await server.request('GET', path, undefined, { auth });
    t.is(response.status, 401);
    t.regex(response.headers.get('www-authenticate') ?? '', /^Basic/);
    t.deepEqual(await response.json(), {
      status: 401, code: 'unauthorized', title: 'Unauthorized', detail: 'authentication required',
      errors: [{ status: 401, title: 'authentication required', details: 'unauthorized' }],
    });
  },
  title: (title = '') => `401 with no detail: ${title}`,
});

test('missing credentials', refused, false);
test('wrong password', refused, basic('admin', 'wrong-password'));
test('unknown user', refused, basic('mallory', 'test-admin-password'));
test('malformed header', refused, 'Basic !!!');
test('a bearer token (epinio login --oidc) is refused saying to log in with a password', async (t) => {
  const response = await server.request('GET', '/api/v1/info', undefined, { auth: 'Bearer abc' });
  t.is(response.status, 401);
  t.regex(response.headers.get('www-authenticate') ?? '', /^Basic/);
  const body = await response.json() as { code: string; errors: { title: string }[] };
  t.is(body.code, 'unauthorized');
  t.regex(body.errors[0]!.title, /bearer tokens \(OIDC logins\) are not supported; log in with a user name and password/);
});
test('an unknown /api path does not reveal routes', refused, false, '/api/v1/secret-route');
test('upper-case API paths are not a way around auth', refused, false, '/API/v1/info');
test('mixed-case API paths are not a way around auth', refused, false, '/Api/V1/namespaces');
