import test from 'ava';
import { lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isSlipwayError, type SlipwayError } from '../../../core/errors.ts';
import { buildRelease } from '../../../controller/adapters/local/build/build-release.ts';
import { removeTrees, writeTree, type Tree } from '../../unit/controller/adapters/local/build/write-tree.ts';

// Issue 16: a start command using a devDependency (ts-node, tsx, …) failed at every
// instance start with "not found". Heroku keeps devDependencies on request
// (NPM_CONFIG_PRODUCTION=false, YARN_PRODUCTION=false); otherwise say where the program came from.

test.after.always(removeTrees);

// file: dependencies and offline: no registry needed. The runner's bin name differs from its package name.
const runner = {
  'tools/runner/package.json': { name: 'runner', version: '1.0.0', bin: { 'run-ts': 'cli.js' } },
  'tools/runner/cli.js': '#!/usr/bin/env node\nconsole.log("running");\n',
};
const app = (scripts: Record<string, string>): Tree => ({
  ...runner,
  'server.ts': '',
  'package.json': { name: 'app', version: '1.0.0', scripts, devDependencies: { runner: 'file:tools/runner' } },
});

async function build(tree: Tree, env: Record<string, string> = {}) {
  const dir = await writeTree(tree);
  const result = buildRelease({
    dir, env: { npm_config_offline: 'true', ...env }, log: () => {}, nodeBinDir: dirname(process.execPath), timeoutMs: 60_000,
  });
  return { dir, result };
}

test('a start program pruned with the devDependencies after a build fails the stage, naming its package and the fix', async (t) => {
  const { result } = await build(app({ build: 'echo built', start: 'run-ts server.ts' }));
  const error = (await t.throwsAsync(result)) as SlipwayError;
  t.true(isSlipwayError(error, 'stage_failed'));
  t.regex(error.message, /^the start command runs "run-ts", from the devDependency "runner", which was removed after the build/);
  t.regex(error.message, /move "runner" to "dependencies" in package\.json, or set NPM_CONFIG_PRODUCTION=false/);
  t.like(error.data, { program: 'run-ts', package: 'runner' });
});

test('NPM_CONFIG_PRODUCTION=false in the app\'s environment keeps devDependencies after the build', async (t) => {
  const { dir, result } = await build(app({ build: 'echo built', start: 'run-ts server.ts' }), { NPM_CONFIG_PRODUCTION: 'false' });
  const plan = await result;
  t.is(plan.description, 'Node.js app (npm install, build script, devDependencies kept), starts with: run-ts server.ts');
  t.true((await lstat(join(dir, 'node_modules', '.bin', 'run-ts'))).isSymbolicLink());
});

test('without a build, a start program that is a devDependency fails the stage; YARN_PRODUCTION=false installs it', async (t) => {
  const tree = { ...app({ start: 'runner server.ts' }), 'tools/runner/package.json': { name: 'runner', version: '1.0.0', bin: { runner: 'cli.js' } } };
  const error = (await t.throwsAsync((await build(tree)).result)) as SlipwayError;
  t.regex(error.message, /^the start command runs "runner", from the devDependency "runner", which is not installed for running/);
  const { dir, result } = await build(tree, { YARN_PRODUCTION: 'false' });
  t.regex((await result).description, /^Node\.js app \(npm install, devDependencies kept\)/);
  t.true((await lstat(join(dir, 'node_modules', '.bin', 'runner'))).isSymbolicLink());
});
