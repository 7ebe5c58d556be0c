import test from 'ava';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildRelease, type BuildOptions } from '../../../controller/adapters/local/build/build-release.ts';
import { findExecutable } from '../../../controller/adapters/local/build/find-executable.ts';
import { DEFAULT_BASE_PATH } from '../../../controller/adapters/local/build/release-plan.ts';
import { removeTrees, writeTree } from '../../unit/controller/adapters/local/build/write-tree.ts';
import { startRegistryStub, type RegistryStub } from './registry-stub.ts';

// Issue 16: a machine whose network re-signs TLS tells npm so through its environment
// and its npm config files; builds must honour both, and share one cache per server.

// A name no public registry serves: if a build's npm asked registry.npmjs.org instead of
// the stub, the install fails.
const DEP = 'slipway-stub-only-dep';
let stub: RegistryStub;
const scratch: string[] = [];

test.before(async () => {
  stub = await startRegistryStub([{ name: DEP, version: '1.0.0', files: { 'index.js': 'module.exports = "from the stub registry";\n' } }]);
});
test.after.always(async () => {
  await stub.close();
  await removeTrees();
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-machine-'));
  scratch.push(dir);
  return dir;
}

async function buildWith(extra: Partial<BuildOptions>) {
  const dir = await writeTree({
    'package.json': { name: 'app', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { [DEP]: '1.0.0' } },
    'server.js': `console.log(require(${JSON.stringify(DEP)}));\n`,
  });
  const before = stub.requests.length;
  // No retries: without the fix npm would otherwise spend a minute retrying.
  const plan = await buildRelease({
    dir, env: { npm_config_fetch_retries: '0' }, log: () => {}, nodeBinDir: dirname(process.execPath), timeoutMs: 60_000, ...extra,
  });
  return { dir, plan, asked: stub.requests.slice(before) };
}

test('npm settings and a CA file in the server\'s environment reach the build, and npm\'s cache is the shared one', async (t) => {
  const cacheDir = await folder();
  const { dir, asked } = await buildWith({
    serverEnv: { HOME: await folder(), npm_config_registry: stub.url, npm_config_cafile: stub.caFile, UNRELATED_SECRET: 'x' },
    cacheDir,
  });
  t.true(asked.includes(`/${DEP}`));
  t.true((await readdir(join(cacheDir, 'npm'))).includes('_cacache'));
  // Nothing cached in the release itself.
  await t.throwsAsync(readdir(join(dir, '.slipway', 'home', '.npm')), { code: 'ENOENT' });
});

test('the server user\'s ~/.npmrc reaches the build', async (t) => {
  const home = await folder();
  await writeFile(join(home, '.npmrc'), `registry=${stub.url}\ncafile=${stub.caFile}\n`);
  const { asked } = await buildWith({ serverEnv: { HOME: home }, cacheDir: await folder() });
  t.true(asked.includes(`/${DEP}`));
});

test('the machine\'s global npmrc (next to its npm, not Slipway\'s node) and NODE_EXTRA_CA_CERTS reach the build', async (t) => {
  // A machine whose npm lives in <prefix>/lib/node_modules/npm, with <prefix>/etc/npmrc naming the registry.
  const prefix = await folder();
  const realNpm = await findExecutable('npm', DEFAULT_BASE_PATH);
  const { realpath } = await import('node:fs/promises');
  const npmCli = await realpath(realNpm!);
  await mkdir(join(prefix, 'bin'));
  await mkdir(join(prefix, 'etc'));
  await symlink(npmCli, join(prefix, 'bin', 'npm'));
  await writeFile(join(prefix, 'etc', 'npmrc'), `registry=${stub.url}\n`);
  const { asked } = await buildWith({
    serverEnv: { HOME: await folder(), NODE_EXTRA_CA_CERTS: stub.caFile },
    basePath: `${join(prefix, 'bin')}:${DEFAULT_BASE_PATH}`,
    cacheDir: await folder(),
  });
  t.true(asked.includes(`/${DEP}`));
});
