import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../cli/cli-error.ts';
import { parseManifest } from '../../../cli/manifest.ts';
import { readTarGz, runMain, startFakeApi, type FakeApi } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
const servers: FakeApi[] = [];
test.after.always(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function setup(files: Record<string, string>): Promise<{ api: FakeApi; dir: string; env: Record<string, string> }> {
  const api = await startFakeApi();
  servers.push(api);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-manifest-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return { api, dir, env: { SLIPWAY_URL: api.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: 'admin-password', SLIPWAY_CONFIG_DIR: dir } };
}

const createBody = (api: FakeApi) => api.requests.find((r) => r.method === 'POST' && r.path.endsWith('/applications'))!.json;

test('slipway.yml gives name, namespace, configuration and a path relative to itself', async (t) => {
  const { api, dir, env } = await setup({
    'slipway.yml': [
      'name: shop', 'namespace: team-a', 'origin:', '  path: web',
      'configuration:', '  instances: 2', '  environment:', '    PORT: 8080', '    DEBUG: false', '  routes: [shop.example.com]',
      'staging:', '  builder: paketobuildpacks/builder-jammy-base',
    ].join('\n'),
    'web/index.html': 'hi',
    'other.txt': 'not pushed',
  });
  const run = await runMain(['push'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.is(api.requests.find((r) => r.path.endsWith('/store'))!.path, '/api/v1/namespaces/team-a/applications/shop/store');
  t.deepEqual(createBody(api), {
    name: 'shop',
    configuration: { instances: 2, environment: { PORT: '8080', DEBUG: 'false' }, routes: ['shop.example.com'], builder: 'paketobuildpacks/builder-jammy-base' },
    origin: { kind: 'path' },
  });
  const entries = await readTarGz([...api.uploads.values()][0]!);
  t.deepEqual(entries.map((e) => e.name), ['index.html']);
});

test('epinio.yml is read when there is no slipway.yml, with Epinio\'s git.repository', async (t) => {
  const { api, dir, env } = await setup({
    'epinio.yml': 'name: legacy\norigin:\n  git:\n    repository: https://example.com/legacy.git\n    revision: main\nconfiguration:\n  configurations: [db]\n',
  });
  const run = await runMain(['push', '-o', 'json'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.like(api.requests.find((r) => r.path.endsWith('/import-git'))!.json, { giturl: 'https://example.com/legacy.git', gitrev: 'main' });
  t.regex(run.stderr, /warning: configuration.configurations .* ignored/);
  t.deepEqual(Object.keys(JSON.parse(run.stdout)), ['blobuid', 'revision', 'branch']);
});

test('slipway.yml wins over epinio.yml, and a MANIFEST argument over both', async (t) => {
  const { api, dir, env } = await setup({
    'slipway.yml': 'name: from-slipway\n',
    'epinio.yml': 'name: from-epinio\n',
    'deploy/prod.yml': 'name: from-arg\norigin:\n  path: ..\n',
  });
  t.is((await runMain(['push'], env, dir)).code, 0);
  t.true(api.apps.has('workspace/from-slipway'));
  t.is((await runMain(['push', 'deploy/prod.yml'], env, dir)).code, 0);
  t.true(api.apps.has('workspace/from-arg'));
  t.false(api.apps.has('workspace/from-epinio'));
});

test('flags override the manifest', async (t) => {
  const { api, dir, env } = await setup({
    'slipway.yml': 'name: one\nnamespace: ns-one\norigin:\n  git:\n    url: https://example.com/a.git\n    revision: main\n    subdir: apps/one\n    watch: true\n    interval: 5m\n',
  });
  const run = await runMain(['push', '--name', 'two', '-n', 'workspace', '--git', 'https://example.com/b.git,v2', '--subdir', 'apps/two'], env, dir);
  t.is(run.code, 0, run.stderr);
  t.true(api.apps.has('workspace/two'));
  t.false(api.namespaces.has('ns-one'));
  t.deepEqual(api.requests.find((r) => r.path.endsWith('/import-git'))!.json, { giturl: 'https://example.com/b.git', gitrev: 'v2', subdir: 'apps/two' });
  t.like(createBody(api), { origin: { kind: 'git', url: 'https://example.com/b.git', revision: 'v2', subdir: 'apps/two', watch: true, interval: '5m' } });
  // --path beats a git origin in the manifest.
  const path = await runMain(['push', '--path', '.'], env, dir);
  t.is(path.code, 0, path.stderr);
  t.true(api.requests.some((r) => r.path === '/api/v1/namespaces/ns-one/applications/one/store'));
});

test('a missing MANIFEST argument is a usage error', async (t) => {
  const { api, dir, env } = await setup({});
  const run = await runMain(['push', 'nope.yml'], env, dir);
  t.is(run.code, 2);
  t.regex(run.stderr, /manifest nope.yml does not exist/);
  t.is(api.requests.length, 0);
});

const refuses = test.macro({
  exec(t, yaml: string, message: RegExp) {
    const error = t.throws(() => parseManifest(yaml, '/src/slipway.yml'));
    t.true(error instanceof CliError);
    t.is((error as CliError).exitCode, 2);
    t.is((error as CliError).code, 'invalid_manifest');
    t.regex(error.message, message);
  },
  title: (title) => `manifest refused: ${title}`,
});

test('negative instances', refuses, 'name: a\nconfiguration:\n  instances: -1\n', /^slipway.yml: configuration.instances: .*>=\s*0/);
test('instances as text', refuses, 'name: a\nconfiguration:\n  instances: two\n', /configuration.instances: .*number/);
test('a typo in a field name', refuses, 'name: a\nconfiguration:\n  instancs: 2\n', /unknown field configuration.instancs/);
test('two origins', refuses, 'origin:\n  path: .\n  container: nginx\n', /origin: give only one of path, git and container/);
test('git without a url', refuses, 'origin:\n  git:\n    revision: main\n', /origin.git: needs a url/);
test('a bad interval', refuses, 'origin:\n  git:\n    url: https://e.com/r.git\n    interval: soon\n', /origin.git.interval: an interval is/);
test('a bad environment name', refuses, 'configuration:\n  environment:\n    1BAD: x\n', /configuration.environment.*environment variable names/);
test('routes not a list', refuses, 'configuration:\n  routes: a.example.com\n', /configuration.routes: .*array/);
test('broken YAML', refuses, 'name: [a\n', /slipway.yml line \d+: not valid YAML/);
test('a list at the top', refuses, '- a\n- b\n', /\(top level\)/);

test('a bad manifest fails push with exit 2 before any request', async (t) => {
  const { api, dir, env } = await setup({ 'slipway.yml': 'name: a\nconfiguration:\n  instances: -3\n' });
  const run = await runMain(['push'], env, dir);
  t.is(run.code, 2);
  t.regex(run.stderr, /error: slipway.yml: configuration.instances/);
  t.regex(run.stderr, /hint: fix .*slipway.yml/);
  t.is(api.requests.length, 0);
});

test('an empty manifest is valid', (t) => {
  t.deepEqual(parseManifest('', '/x/slipway.yml').manifest, {});
});
