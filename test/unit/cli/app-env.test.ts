import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient } from '../../../cli/api-client.ts';
import { appEnvList, appEnvSet, appEnvUnset, parseAssignment } from '../../../cli/commands/app-env.ts';
import { runMain, startFakeApi, type FakeApi } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
const servers: FakeApi[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fake API holding app `web` (namespace `workspace`, or `namespace`) with `env`. */
async function setup(env: Record<string, string> = {}, namespace = 'workspace'): Promise<{ api: FakeApi; dir: string; run: (args: string[]) => ReturnType<typeof runMain> }> {
  const api = await startFakeApi({ namespaces: ['workspace', 'team-a'] });
  servers.push(api);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-env-'));
  dirs.push(dir);
  const vars = { SLIPWAY_URL: api.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: 'admin-password', SLIPWAY_CONFIG_DIR: dir };
  const client = createApiClient({ url: api.url, user: 'admin', password: 'admin-password' });
  await client.createApp(namespace, { name: 'web', configuration: { environment: env } });
  api.requests.length = 0;
  return { api, dir, run: (args) => runMain(args, vars, dir) };
}

const client = (api: FakeApi) => createApiClient({ url: api.url, user: 'admin', password: 'admin-password' });
const patches = (api: FakeApi) => api.requests.filter((r) => r.method === 'PATCH');

test('app env set merges into the app\'s environment and PATCHes the whole map; values may hold "="', async (t) => {
  const { api, run } = await setup({ KEEP: 'kept', PORT: '80' });
  const result = await run(['app', 'env', 'set', 'web', 'DATABASE_URL=postgres://db/app?sslmode=require', 'PORT=8080', 'EMPTY=']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(patches(api).map((r) => r.json), [{ configuration: { environment: { KEEP: 'kept', PORT: '8080', DATABASE_URL: 'postgres://db/app?sslmode=require', EMPTY: '' } } }]);
  t.deepEqual(api.apps.get('workspace/web')!.spec.env, { KEEP: 'kept', PORT: '8080', DATABASE_URL: 'postgres://db/app?sslmode=require', EMPTY: '' });
  t.is(result.stdout, 'Set DATABASE_URL, PORT, EMPTY on web (namespace workspace).\n'
    + 'It takes effect at the next deploy (`slipway push`, or a new commit on a watched branch); `slipway app restart` keeps the running release\'s environment.\n');
  t.false(result.stdout.includes('postgres'), 'values are never printed');
});

test('app env set of the value a variable already has sends nothing', async (t) => {
  const { api, run } = await setup({ PORT: '80' });
  const result = await run(['app', 'env', 'set', 'web', 'PORT=80']);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, 'PORT already had that value.\nNothing changed.\n');
  t.deepEqual(patches(api), []);
});

test('app env set -o json returns what changed and the variable names, not the values', async (t) => {
  const { run } = await setup({ B: '1' }, 'team-a');
  const result = await run(['app', 'env', 'set', 'web', 'A=secret', 'B=1', '-n', 'team-a', '-o', 'json']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), { app: 'web', namespace: 'team-a', changed: ['A'], unchanged: ['B'], variables: ['A', 'B'] });
});

const refused = test.macro({
  async exec(t, args: string[], pattern: RegExp, code: string) {
    const { api, run } = await setup({ A: '1' });
    const result = await run(['app', 'env', ...args]);
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, pattern);
    t.regex(result.stderr, new RegExp(`\\(${code}\\)`));
    t.deepEqual(api.requests, [], 'refused before any request');
  },
  title: (_title, args: string[]) => `app env ${args.join(' ').slice(0, 60)} is refused before any request`,
});

test(refused, ['set', 'web', 'NOVALUE'], /"NOVALUE" is not KEY=VALUE \(usage\)\nhint: write KEY=VALUE .*`slipway app env unset NAME KEY`/, 'usage');
test(refused, ['set', 'web', '1ST=x'], /"1ST" is not an environment variable name \(invalid_environment\)\nhint: use letters, digits and "_", not starting with a digit/, 'invalid_environment');
test(refused, ['set', 'web', 'MY-VAR=x'], /"MY-VAR" is not an environment variable name/, 'invalid_environment');
test(refused, ['set', 'web', '=x'], /"" is not an environment variable name/, 'invalid_environment');
test(refused, ['unset', 'web', 'A=1'], /"A=1" is not an environment variable name/, 'invalid_environment');
test(refused, ['set', 'Web', 'A=1'], /invalid application name "Web"/, 'invalid_name');

test('a value over the server\'s limit is refused after reading the app, before the PATCH', async (t) => {
  const { api, run } = await setup();
  const result = await run(['app', 'env', 'set', 'web', `BIG=${'x'.repeat(64 * 1024 + 1)}`]);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /the environment of web would be refused: BIG: a value is at most 65536 bytes \(got 65537\).*\(invalid_environment\)/);
  t.deepEqual(patches(api), []);
});

test('app env unset removes variables and says which were not set', async (t) => {
  const { api, run } = await setup({ A: '1', B: '2', C: '3' });
  const result = await run(['app', 'env', 'unset', 'web', 'A', 'C', 'NOPE']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(patches(api).map((r) => r.json), [{ configuration: { environment: { B: '2' } } }]);
  t.regex(result.stdout, /^Removed A, C from web \(namespace workspace\)\.\nNOPE was not set\.\nIt takes effect at the next deploy/);
  const none = await run(['app', 'env', 'unset', 'web', 'NOPE']);
  t.is(none.stdout, 'NOPE was not set.\nNothing changed.\n');
  t.is(patches(api).length, 1);
});

test('app env list hides values unless --reveal; json too', async (t) => {
  const { run } = await setup({ TOKEN: 's3cr3t', API_URL: 'https://a=b' });
  const hidden = await run(['app', 'env', 'list', 'web']);
  t.is(hidden.code, 0, hidden.stderr);
  t.is(hidden.stdout, 'NAME     VALUE\nAPI_URL  ****\nTOKEN    ****\n\nValues are hidden; show them with --reveal.\n');
  const shown = await run(['app', 'env', 'list', 'web', '--reveal']);
  t.is(shown.stdout, 'NAME     VALUE\nAPI_URL  https://a=b\nTOKEN    s3cr3t\n');
  const json = await run(['app', 'env', 'list', 'web', '-o', 'json']);
  t.deepEqual(JSON.parse(json.stdout), { app: 'web', namespace: 'workspace', revealed: false, variables: [{ name: 'API_URL' }, { name: 'TOKEN' }] });
  t.false(json.stdout.includes('s3cr3t'));
  const revealed = await run(['app', 'env', 'list', 'web', '--reveal', '-o', 'json']);
  t.deepEqual(JSON.parse(revealed.stdout).variables, [{ name: 'API_URL', value: 'https://a=b' }, { name: 'TOKEN', value: 's3cr3t' }]);
});

test('app env list of an app without variables says how to set one; of a missing app, app_not_found', async (t) => {
  const { run } = await setup();
  t.is((await run(['app', 'env', 'list', 'web'])).stdout, 'web has no environment variables; set one with `slipway app env set web KEY=VALUE`.\n');
  const missing = await run(['app', 'env', 'set', 'ghost', 'A=1']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /\(app_not_found\)/);
});

test('the commands return data for an injected client; a variable called __proto__ is an ordinary one', async (t) => {
  const { api } = await setup({ X: '1' });
  const set = await appEnvSet({ namespace: 'workspace', name: 'web', assignments: ['__proto__=p', 'Y=2', 'Y=3'] }, { api: client(api) });
  t.deepEqual(set, { app: 'web', namespace: 'workspace', changed: ['__proto__', 'Y'], unchanged: [], variables: ['X', 'Y', '__proto__'] });
  t.deepEqual(Object.entries(api.apps.get('workspace/web')!.spec.env), [['X', '1'], ['__proto__', 'p'], ['Y', '3']]);
  const list = await appEnvList({ namespace: 'workspace', name: 'web', reveal: true }, { api: client(api) });
  t.deepEqual(list.variables, [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }, { name: '__proto__', value: 'p' }]);
  const unset = await appEnvUnset({ namespace: 'workspace', name: 'web', keys: ['__proto__', '__proto__'] }, { api: client(api) });
  t.deepEqual(unset.variables, ['X', 'Y']);
  t.deepEqual(parseAssignment('A=b=c'), ['A', 'b=c']);
});

test('app env set --secret marks variables secret (previews of forks do not get them); list shows the mark; unset drops it', async (t) => {
  const { api, run } = await setup({ TOKEN: 'x', PORT: '80' });
  const marked = await run(['app', 'env', 'set', 'web', 'TOKEN=x', '--secret']);
  t.is(marked.code, 0, marked.stderr);
  t.deepEqual(patches(api).map((r) => r.json), [{ configuration: { environment: { TOKEN: 'x', PORT: '80' }, secretEnv: ['TOKEN'] } }], 'marking alone is a change');
  api.apps.get('workspace/web')!.spec.secretEnv = ['TOKEN'];
  const listed = await run(['app', 'env', 'list', 'web', '-o', 'json']);
  t.deepEqual(JSON.parse(listed.stdout).variables, [{ name: 'PORT' }, { name: 'TOKEN', secret: true }]);
  t.regex((await run(['app', 'env', 'list', 'web'])).stdout, /TOKEN\s+\*\*\*\*\s+yes/);
  api.requests.length = 0;
  t.is((await run(['app', 'env', 'set', 'web', 'PORT=81'])).code, 0);
  t.deepEqual(patches(api).at(-1)!.json, { configuration: { environment: { TOKEN: 'x', PORT: '81' }, secretEnv: ['TOKEN'] } }, 'a set without --secret keeps the marks');
  t.is((await run(['app', 'env', 'unset', 'web', 'TOKEN'])).code, 0);
  t.deepEqual(patches(api).at(-1)!.json, { configuration: { environment: { PORT: '81' }, secretEnv: [] } });
});
