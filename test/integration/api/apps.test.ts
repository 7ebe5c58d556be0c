import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

let server: TestServer;
test.before(async () => { server = await startTestServer(); });
test.after.always(() => server?.close());

const json = async (response: Response) => ({ status: response.status, type: response.headers.get('content-type'), body: await response.json() as any });

test('a workspace namespace exists by default, and namespaces can be created once', async (t) => {
  const list = await json(await server.request('GET', '/api/v1/namespaces'));
  t.true(list.body.some((ns: { name: string }) => ns.name === 'workspace'));
  t.is((await server.request('POST', '/api/v1/namespaces', { name: 'team-a' })).status, 201);
  const again = await json(await server.request('POST', '/api/v1/namespaces', { name: 'team-a' }));
  t.is(again.status, 409);
  t.is(again.body.code, 'namespace_exists');
  t.is(again.type, 'application/problem+json');
});

test('application lifecycle: create, show, list, update, delete', async (t) => {
  const base = '/api/v1/namespaces/workspace/applications';
  const created = await json(await server.request('POST', base, { name: 'web', configuration: { instances: 2, environment: { NODE_ENV: 'production' }, routes: ['web.example.com'] } }));
  t.is(created.status, 201);
  t.deepEqual(created.body.spec, { instances: 2, env: { NODE_ENV: 'production' }, routes: ['web.example.com'] });
  t.is(created.body.metadata.name, 'web');

  const clash = await json(await server.request('POST', base, { name: 'web' }));
  t.is(clash.status, 409);
  t.is(clash.body.code, 'app_exists');

  t.is((await json(await server.request('GET', `${base}/web`))).body.spec.instances, 2);
  t.deepEqual((await json(await server.request('GET', base))).body.map((a: any) => a.metadata.name), ['web']);

  const updated = await json(await server.request('PATCH', `${base}/web`, { configuration: { instances: 3 } }));
  t.is(updated.status, 200);
  t.is(updated.body.spec.instances, 3);
  t.deepEqual(updated.body.spec.env, { NODE_ENV: 'production' }, 'fields not sent are kept');
  t.is(updated.body.metadata.generation, 2);

  t.deepEqual((await json(await server.request('DELETE', `${base}/web`))).body, { deleted: 'web' });
  const gone = await json(await server.request('GET', `${base}/web`));
  t.is(gone.status, 404);
  t.is(gone.body.code, 'app_not_found');
});

const badRequest = test.macro({
  async exec(t, method: string, path: string, body: unknown, code: string, detail: RegExp) {
    const response = await json(await server.request(method, path, body));
    t.is(response.status, code.endsWith('not_found') ? 404 : 400);
    t.is(response.body.code, code);
    t.regex(response.body.detail, detail);
  },
  title: (title = '') => `refused: ${title}`,
});

const apps = '/api/v1/namespaces/workspace/applications';
test('an upper-case app name', badRequest, 'POST', apps, { name: 'MyApp' }, 'invalid_name', /"MyApp".*must consist of lower case/);
test('a too long app name', badRequest, 'POST', apps, { name: 'a'.repeat(64) }, 'invalid_name', /at most 63/);
test('a name with a dot', badRequest, 'POST', '/api/v1/namespaces', { name: 'a.b' }, 'invalid_name', /DNS-1123/);
test('an app name starting with a digit (no Service may have it)', badRequest, 'POST', apps, { name: '1web' }, 'invalid_name', /must start with a letter \(a DNS-1035 label/);
test('a negative instance count', badRequest, 'POST', apps, { name: 'ok', configuration: { instances: -1 } }, 'invalid_request', /configuration.instances/);
test('a bad environment name', badRequest, 'POST', apps, { name: 'ok', configuration: { environment: { '1X': 'y' } } }, 'invalid_request', /configuration.environment/);
test('an unknown field', badRequest, 'POST', apps, { name: 'ok', configuraton: {} }, 'invalid_request', /configuraton|Unrecognized/i);
test('an invalid name in the path', badRequest, 'GET', '/api/v1/namespaces/workspace/applications/Bad_Name', undefined, 'invalid_name', /DNS-1123/);
test('an unknown namespace', badRequest, 'GET', '/api/v1/namespaces/nope/applications', undefined, 'namespace_not_found', /"nope" does not exist/);

test('malformed JSON is a 400 problem, not a crash', async (t) => {
  const response = await server.request('POST', apps, undefined, { body: '{"name":', headers: { 'content-type': 'application/json' } });
  t.is(response.status, 400);
  t.is((await response.json() as any).code, 'invalid_request');
});

test('an oversized JSON body is a 413 problem', async (t) => {
  const response = await server.request('POST', apps, { name: 'big', configuration: { environment: { A: 'x'.repeat(2 * 1024 * 1024) } } });
  t.is(response.status, 413);
  t.is((await response.json() as any).code, 'too_large');
});
test('a git origin with credentials in its URL', badRequest, 'POST', apps, { name: 'ok', origin: { kind: 'git', url: 'https://user:s3cret@github.com/o/r' } }, 'invalid_request', /credentials in the URL/);
test('a git origin revision that reads as an option', badRequest, 'POST', apps, { name: 'ok', origin: { kind: 'git', url: 'https://github.com/o/r', revision: '--upload-pack=x' } }, 'invalid_request', /must not start with "-"/);
test('a git origin subdir that climbs out', badRequest, 'POST', apps, { name: 'ok', origin: { kind: 'git', url: 'https://github.com/o/r', subdir: '../x' } }, 'invalid_request', /relative path/);

test('the default namespace cannot be deleted', async (t) => {
  const response = await json(await server.request('DELETE', '/api/v1/namespaces/workspace'));
  t.is(response.status, 409);
  t.is(response.body.code, 'namespace_protected');
});

test('a credential never comes back in an error', async (t) => {
  const response = await server.request('POST', apps, { name: 'leak', origin: { kind: 'git', url: 'https://user:s3cret@github.com/o/r' } });
  t.false((await response.text()).includes('s3cret'));
});
