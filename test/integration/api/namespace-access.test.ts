import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestServer, basic, type TestServer } from '../../helpers/test-server.ts';
import { hashPassword } from '../../../controller/auth/password-hash.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

let server: TestServer;
const dev = basic('dev', 'dev-password');
test.before(async () => {
  const users = await makeTempDir('slipway-users-');
  const usersFile = join(users.dir, 'users.json');
  await writeFile(usersFile, JSON.stringify({ users: [{ username: 'dev', passwordHash: await hashPassword('dev-password'), namespaces: ['team-a'] }] }));
  server = await startTestServer({ SLIPWAY_USERS_FILE: usersFile });
  await server.request('POST', '/api/v1/namespaces', { name: 'team-a' });
  await server.request('POST', '/api/v1/namespaces', { name: 'team-b' });
  const close = server.close;
  server.close = async () => { await close(); await users.cleanup(); };
});
test.after.always(() => server?.close());

test('a user limited to a namespace sees and works only there', async (t) => {
  const list = await server.request('GET', '/api/v1/namespaces', undefined, { auth: dev });
  t.deepEqual((await list.json() as { name: string }[]).map((n) => n.name), ['team-a']);
  const created = await server.request('POST', '/api/v1/namespaces/team-a/applications', { name: 'web' }, { auth: dev });
  t.is(created.status, 201);
});

test('other namespaces are refused with 403 forbidden', async (t) => {
  for (const path of ['/api/v1/namespaces/team-b/applications', '/api/v1/namespaces/workspace', '/api/v1/namespaces/team-b/applications/x/store/00000000-0000-4000-8000-000000000000']) {
    const response = await server.request('GET', path, undefined, { auth: dev });
    t.is(response.status, 403, path);
    t.like(await response.json(), { code: 'forbidden' });
  }
});

test('only users with every namespace create or delete namespaces', async (t) => {
  const create = await server.request('POST', '/api/v1/namespaces', { name: 'team-c' }, { auth: dev });
  t.is(create.status, 403);
  const remove = await server.request('DELETE', '/api/v1/namespaces/team-a', undefined, { auth: dev });
  t.is(remove.status, 403);
  t.is((await server.request('GET', '/api/v1/namespaces/team-a')).status, 200, 'still there');
});
