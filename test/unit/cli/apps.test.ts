import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient } from '../../../cli/api-client.ts';
import { appsDelete, appsList, appsShow } from '../../../cli/commands/apps.ts';
import { namespacesCreate, namespacesList } from '../../../cli/commands/namespaces.ts';
import { runMain, startFakeApi, type FakeApi } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
const servers: FakeApi[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fake API holding two pushed apps: `web` (directory) and `api` (git) in `workspace`. */
async function setup(): Promise<{ api: FakeApi; dir: string; env: Record<string, string> }> {
  const api = await startFakeApi();
  servers.push(api);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-apps-'));
  dirs.push(dir);
  const env = { SLIPWAY_URL: api.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: 'admin-password', SLIPWAY_CONFIG_DIR: dir };
  await writeFile(join(dir, 'index.html'), 'hi');
  await writeFile(join(dir, 'slipway.yml'), 'configuration:\n  environment:\n    API_TOKEN: very-secret-token\n');
  for (const args of [['--name', 'web'], ['--name', 'api', '--git', 'https://example.com/api.git,main']]) {
    const run = await runMain(['push', ...args], env, dir);
    if (run.code !== 0) throw new Error(run.stderr);
  }
  api.requests.length = 0;
  return { api, dir, env };
}

test('apps list shows a table, and --output json the apps', async (t) => {
  const { dir, env } = await setup();
  const text = await runMain(['apps', 'list'], env, dir);
  t.is(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  t.regex(lines[0]!, /^NAME\s+INSTANCES\s+PHASE\s+ORIGIN\s+SOURCE\s+URL\s+CREATED$/);
  t.regex(lines[1]!, /^web\s+-\/1\s+-\s+path\s+blob-1\s+-\s/);
  t.regex(lines[2]!, /^api\s+-\/1\s+-\s+git\s+[0-9a-f]{12} \(main\)\s+-\s/);
  const json = await runMain(['apps', 'list', '-o', 'json'], env, dir);
  t.deepEqual(JSON.parse(json.stdout).map((a: { metadata: { name: string } }) => a.metadata.name), ['web', 'api']);
});

test('apps list of an empty namespace says how to push', async (t) => {
  const { dir, env } = await setup();
  t.is((await runMain(['namespaces', 'create', 'empty'], env, dir)).code, 0);
  const run = await runMain(['apps', 'list', '--namespace', 'empty'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /No applications in namespace empty/);
});

test('apps show prints the app without environment values', async (t) => {
  const { dir, env } = await setup();
  const run = await runMain(['apps', 'show', 'api'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /Origin:\s+git https:\/\/example.com\/api.git @ main/);
  t.regex(run.stdout, /Source revision:\s+[0-9a-f]{40}/);
  t.regex(run.stdout, /Environment:\s+API_TOKEN/);
  t.false(run.stdout.includes('very-secret-token'));
  const json = await runMain(['apps', 'show', 'web', '-o', 'json'], env, dir);
  t.like(JSON.parse(json.stdout), { metadata: { name: 'web', namespace: 'workspace' }, status: { source: { blobuid: 'blob-1' } } });
});

test('apps show of a missing app is exit 1 with the server\'s code', async (t) => {
  const { dir, env } = await setup();
  const run = await runMain(['apps', 'show', 'ghost'], env, dir);
  t.is(run.code, 1);
  t.regex(run.stderr, /error: application "ghost" does not exist in namespace "workspace" \(app_not_found\)/);
  const json = await runMain(['apps', 'show', 'ghost', '-o', 'json'], env, dir);
  t.is(json.code, 1);
  t.is(json.stdout, '');
  t.like(JSON.parse(json.stderr), { error: { code: 'app_not_found', status: 404 } });
});

test('apps delete removes the app', async (t) => {
  const { api, dir, env } = await setup();
  const run = await runMain(['apps', 'delete', 'web'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout.trim(), 'Deleted application web from namespace workspace.');
  t.false(api.apps.has('workspace/web'));
  const json = await runMain(['apps', 'delete', 'api', '-o', 'json'], env, dir);
  t.deepEqual(JSON.parse(json.stdout), { deleted: 'api', namespace: 'workspace' });
});

test('an invalid app name is refused before any request', async (t) => {
  const { api, dir, env } = await setup();
  for (const args of [['apps', 'show', 'Bad_Name'], ['apps', 'delete', '../x'], ['apps', 'list', '-n', 'UPPER'], ['namespaces', 'create', 'a.b']]) {
    const run = await runMain(args, env, dir);
    t.is(run.code, 2, args.join(' '));
    t.regex(run.stderr, /\(invalid_name\)/);
  }
  t.is(api.requests.length, 0);
});

test('namespaces list and create, as text and JSON', async (t) => {
  const { api, dir, env } = await setup();
  const created = await runMain(['namespaces', 'create', 'team-b', '-o', 'json'], env, dir);
  t.is(created.code, 0, created.stderr);
  t.like(JSON.parse(created.stdout), { name: 'team-b' });
  const again = await runMain(['ns', 'create', 'team-b'], env, dir);
  t.is(again.code, 1);
  t.regex(again.stderr, /already exists \(namespace_exists\)/);
  const text = await runMain(['namespaces', 'list'], env, dir);
  t.regex(text.stdout, /^NAME\s+APPS\s+CREATED\nworkspace\s+web, api\s+\S+\nteam-b\s+-\s+\S+\n$/);
  t.true(api.namespaces.has('team-b'));
});

test('the command functions return data for injected clients', async (t) => {
  const { api } = await setup();
  const deps = { api: createApiClient({ url: api.url, user: 'admin', password: 'admin-password' }) };
  t.deepEqual((await appsList({ namespace: 'workspace' }, deps)).map((a) => a.metadata.name), ['web', 'api']);
  t.is((await appsShow({ namespace: 'workspace', name: 'web' }, deps)).spec.origin?.kind, 'path');
  t.like(await namespacesCreate({ name: 'n2' }, deps), { name: 'n2' });
  t.deepEqual((await namespacesList({}, deps)).map((n) => n.name), ['workspace', 'n2']);
  t.deepEqual(await appsDelete({ namespace: 'workspace', name: 'web' }, deps), { deleted: 'web', namespace: 'workspace' });
});

test('apps show of a never deployed app shows - for phase, release, revision and URLs', async (t) => {
  const { dir, env } = await setup();
  const run = await runMain(['apps', 'show', 'web'], env, dir);
  t.is(run.code, 0, run.stderr);
  for (const field of ['Phase', 'Release', 'Revision', 'Branch', 'Routes', 'URLs', 'Last run']) t.regex(run.stdout, new RegExp(`^${field}:\\s+-$`, 'm'), field);
  t.regex(run.stdout, /^Instances:\s+-\/1 ready$/m);
});

test('apps show says failed for an app whose only run failed, as apps list does', async (t) => {
  const { api, dir, env } = await setup();
  const app = api.apps.get('workspace/web')!;
  app.status = { ...app.status, run: { id: 'run-1', kind: 'deploy', phase: 'failed', startedAt: '2026-01-02T00:00:00.000Z', error: { code: 'stage_failed', message: 'npm run build exited 1' } } };
  const show = await runMain(['apps', 'show', 'web'], env, dir);
  t.regex(show.stdout, /^Phase:\s+failed$/m);
  const list = await runMain(['apps', 'list'], env, dir);
  t.regex(list.stdout, /^web\s+\S+\s+failed\s/m);
});

test('apps show and list of a deployed app show its phase, instances, release, revision and URL', async (t) => {
  const { api, dir, env } = await setup();
  const app = api.apps.get('workspace/api')!;
  app.status = {
    ...app.status,
    run: { id: 'run-7', kind: 'deploy', phase: 'succeeded', startedAt: '2026-01-02T00:00:00.000Z', stageId: 'stage-7' },
    release: { number: 3, stageId: 'stage-7', image: 'img', blobuid: 'blob-2', revision: 'a'.repeat(40), branch: 'main', createdAt: '2026-01-02T00:00:01.000Z' },
    runtime: { phase: 'running', desired: 2, ready: 1, restarts: 4 },
    routes: ['api.localhost'],
    urls: ['http://api.localhost:8080/'],
  };
  const run = await runMain(['apps', 'show', 'api'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^Phase:\s+running$/m);
  t.regex(run.stdout, /^Instances:\s+1\/2 ready, 4 restarts$/m);
  t.regex(run.stdout, /^Release:\s+3 \(stage stage-7, 2026-01-02T00:00:01.000Z\)$/m);
  t.regex(run.stdout, /^Revision:\s+a{40}$/m);
  t.regex(run.stdout, /^Branch:\s+main$/m);
  t.regex(run.stdout, /^Routes:\s+api\.localhost$/m);
  t.regex(run.stdout, /^URLs:\s+http:\/\/api\.localhost:8080\/$/m);
  t.regex(run.stdout, /^Last run:\s+deploy run-7 succeeded, started 2026-01-02T00:00:00.000Z$/m);
  const list = await runMain(['apps', 'list'], env, dir);
  t.regex(list.stdout, /^api\s+1\/2\s+running\s+git\s+\S+ \(main\)\s+http:\/\/api\.localhost:8080\/\s/m);
  // A run in progress shows as the phase; a failed one with its error.
  app.status.run = { id: 'run-8', kind: 'deploy', phase: 'staging', startedAt: '2026-01-03T00:00:00.000Z' };
  t.regex((await runMain(['apps', 'list'], env, dir)).stdout, /^api\s+1\/2\s+staging\s/m);
  app.status.run = { id: 'run-8', kind: 'deploy', phase: 'failed', startedAt: 'then', error: { code: 'stage_failed', message: 'npm exited with 1' } };
  t.regex((await runMain(['apps', 'show', 'api'], env, dir)).stdout, /^Last run:\s+deploy run-8 failed: npm exited with 1 \(stage_failed\), started then$/m);
  // The earlier release still runs after a failed redeploy; the list must not say a bare "running".
  t.regex((await runMain(['apps', 'list'], env, dir)).stdout, /^api\s+1\/2\s+running \(last deploy failed\)\s+git\s/m);
  t.regex((await runMain(['apps', 'show', 'api'], env, dir)).stdout, /^Phase:\s+running \(last deploy failed\)$/m);
});

test('app list, app show and app delete (as Epinio\'s CLI spells them) are apps list, show and delete', async (t) => {
  const { api, dir, env } = await setup();
  for (const [words, plural] of [[['app', 'list'], ['apps', 'list']], [['app', 'show', 'api'], ['apps', 'show', 'api']]] as const) {
    const singular = await runMain([...words, '-o', 'json'], env, dir);
    t.is(singular.code, 0, singular.stderr);
    t.deepEqual(JSON.parse(singular.stdout), JSON.parse((await runMain([...plural, '-o', 'json'], env, dir)).stdout));
  }
  const deleted = await runMain(['app', 'delete', 'web'], env, dir);
  t.is(deleted.code, 0, deleted.stderr);
  t.true(api.requests.some((r) => r.method === 'DELETE' && r.path.endsWith('/applications/web')));
  t.deepEqual(JSON.parse((await runMain(['apps', 'list', '-o', 'json'], env, dir)).stdout).map((a: { metadata: { name: string } }) => a.metadata.name), ['api']);
});
