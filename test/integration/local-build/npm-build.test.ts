import test from 'ava';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LogLine } from '../../../core/ports/runtime.ts';
import { buildRelease, type BuildOptions } from '../../../controller/adapters/local/build/build-release.ts';
import { removeTrees, writeTree, type Tree } from '../../unit/controller/adapters/local/build/write-tree.ts';

test.after.always(removeTrees);

// npm_config_offline proves the builds need no registry: file: dependencies only.
const offline = { npm_config_offline: 'true' };

async function build(tree: Tree, extra: Partial<BuildOptions> = {}) {
  const dir = await writeTree(tree);
  const lines: Array<Omit<LogLine, 'time'>> = [];
  const plan = await buildRelease({
    dir, env: offline, log: (line) => lines.push(line), nodeBinDir: dirname(process.execPath), timeoutMs: 60_000, ...extra,
  });
  return { dir, lines, plan };
}

const greet = {
  'lib/greet/package.json': { name: 'greet', version: '1.0.0', main: 'index.js' },
  'lib/greet/index.js': 'module.exports = () => "hello from a dependency";\n',
};
const makeDist = {
  'tools/make-dist/package.json': { name: 'make-dist', version: '1.0.0', bin: { 'make-dist': 'cli.js' } },
  'tools/make-dist/cli.js':
    '#!/usr/bin/env node\nconst fs = require("node:fs");\nfs.mkdirSync("dist", { recursive: true });\n' +
    'fs.writeFileSync("dist/index.html", `<h1>built with NODE_ENV=${process.env.NODE_ENV} CI=${process.env.CI}</h1>`);\n' +
    'console.log("wrote dist/index.html");\n',
};
const lockfile = (dependencies: Record<string, string>, devDependencies: Record<string, string> = {}) => {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0', dependencies, devDependencies } };
  for (const [name, spec] of Object.entries({ ...dependencies, ...devDependencies })) {
    const folder = spec.replace(/^file:/, '');
    const dev = name in devDependencies;
    packages[folder] = { version: '1.0.0', ...(dev ? { dev: true, bin: { [name]: 'cli.js' } } : {}) };
    packages[`node_modules/${name}`] = { resolved: folder, link: true };
  }
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
};

test('npm ci installs a package-lock app offline, and its start script runs with the dependency', async (t) => {
  const dependencies = { greet: 'file:lib/greet' };
  const { dir, lines, plan } = await build({
    ...greet,
    'package.json': { name: 'app', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies },
    'package-lock.json': lockfile(dependencies),
    'server.js': 'console.log(require("greet")());\n',
  });
  t.is(plan.kind, 'node');
  t.is(plan.description, 'Node.js app (npm ci), starts with: node server.js');
  t.true((await lstat(join(dir, 'node_modules', 'greet'))).isSymbolicLink());
  t.true(lines.some((line) => line.stream === 'system' && line.text === 'running: npm ci --omit=dev --no-audit --no-fund'));
  t.true(lines.some((line) => line.source === 'install' && line.stream === 'stdout' && /added 1 package/.test(line.text)));
});

test('a build script runs with devDependencies on PATH, which are pruned after it', async (t) => {
  const dependencies = { greet: 'file:lib/greet' };
  const devDependencies = { 'make-dist': 'file:tools/make-dist' };
  const { dir, plan } = await build({
    ...greet, ...makeDist,
    'package.json': { name: 'app', version: '1.0.0', scripts: { build: 'make-dist', start: 'node server.js' }, dependencies, devDependencies },
    'package-lock.json': lockfile(dependencies, devDependencies),
    'server.js': '',
  });
  t.is(plan.description, 'Node.js app (npm ci, build script), starts with: node server.js');
  t.is(await readFile(join(dir, 'dist', 'index.html'), 'utf8'), '<h1>built with NODE_ENV=production CI=true</h1>');
  await t.throwsAsync(lstat(join(dir, 'node_modules', 'make-dist')), { code: 'ENOENT' });
  t.true((await lstat(join(dir, 'node_modules', 'greet'))).isSymbolicLink());
});

test('a front-end project whose build writes dist/ and that has nothing to start is served from dist', async (t) => {
  const devDependencies = { 'make-dist': 'file:tools/make-dist' };
  const { dir, plan } = await build({
    ...makeDist,
    // The root index.html is the source template a bundler reads; dist/ is what to serve.
    'index.html': '<script src="src/main.js"></script>',
    'package.json': { name: 'spa', version: '1.0.0', scripts: { build: 'make-dist' }, devDependencies },
    // No lockfile: npm install.
  });
  t.deepEqual(plan, {
    kind: 'static', staticRoot: 'dist', fallback: 'index.html', env: {},
    description: 'Static site built with Node.js (npm install, build script), served by Slipway from dist/',
  });
  // node_modules and the build's HOME are gone: only what serves is kept.
  t.deepEqual(await readdir(dir), ['dist']);
});

test('a build script without dependencies runs without an install', async (t) => {
  const { lines, plan } = await build({
    'package.json': { name: 'app', scripts: { build: 'echo built > built.txt', start: 'node server.js' } },
  });
  t.is(plan.description, 'Node.js app (no dependencies, build script), starts with: node server.js');
  t.false(lines.some((line) => line.source === 'install' && line.text.startsWith('running:')));
  t.true(lines.some((line) => line.text === 'running: npm run build'));
});
