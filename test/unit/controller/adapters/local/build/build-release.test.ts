import test from 'ava';
import { dirname, join } from 'node:path';
import { isSlipwayError, type SlipwayError } from '../../../../../../core/errors.ts';
import type { LogLine } from '../../../../../../core/ports/runtime.ts';
import { buildRelease, type BuildOptions, type ReleasePlan } from '../../../../../../controller/adapters/local/build/build-release.ts';
import { removeTrees, writeTree, type Tree } from './write-tree.ts';

const nodeBinDir = dirname(process.execPath);
const node = join(nodeBinDir, 'node');

test.after.always(removeTrees);

async function build(tree: Tree, extra: Partial<BuildOptions> = {}) {
  const dir = await writeTree(tree);
  const lines: Array<Omit<LogLine, 'time'>> = [];
  const options: BuildOptions = { dir, env: {}, log: (line) => lines.push(line), nodeBinDir, timeoutMs: 10_000, ...extra };
  return { dir, lines, run: () => buildRelease(options) };
}

type Expected = Omit<ReleasePlan, 'env' | 'description'> & { description?: RegExp };

const plans = test.macro({
  async exec(t, tree: Tree, expected: Expected) {
    const { run } = await build(tree);
    const plan = await run();
    const { description, ...shape } = expected;
    t.like(plan, shape);
    if (expected.command === undefined) t.is(plan.command, undefined);
    if (expected.staticRoot === undefined) t.is(plan.staticRoot, undefined);
    if (description !== undefined) t.regex(plan.description, description);
  },
  title: (title = '') => `plans ${title}`,
});

const start = (script: string) => ({ name: 'app', scripts: { start: script } });

test('a Procfile web process', plans, { Procfile: 'web: node app.js\n', 'app.js': '' },
  { kind: 'procfile', command: ['/bin/sh', '-c', 'exec node app.js'], description: /^Procfile web process, starts with: node app\.js$/ });
test('a Procfile over package.json and index.html', plans,
  { Procfile: 'worker: node w.js\nweb: node web.js\n', 'package.json': start('node other.js'), 'index.html': '' },
  { kind: 'procfile', command: ['/bin/sh', '-c', 'exec node web.js'], description: /Procfile web process \(no dependencies\)/ });
test('a Procfile with comments, CRLF and shell syntax', plans, { Procfile: '# processes\r\n\r\nweb: ./migrate && bin/server --port $PORT\r\n' },
  { kind: 'procfile', command: ['/bin/sh', '-c', './migrate && bin/server --port $PORT'] });
test('a start script', plans, { 'package.json': start('node server.js'), 'server.js': '' },
  { kind: 'node', command: ['/bin/sh', '-c', 'exec node server.js'], description: /^Node\.js app \(no dependencies\), starts with: node server\.js$/ });
test('a start script with shell syntax, as written', plans, { 'package.json': start('NODE_OPTIONS=--enable-source-maps node dist/a.js') },
  { kind: 'node', command: ['/bin/sh', '-c', 'NODE_OPTIONS=--enable-source-maps node dist/a.js'] });
test('main without .js', plans, { 'package.json': { main: 'lib/app' }, 'lib/app.js': '' },
  { kind: 'node', command: [node, 'lib/app.js'], description: /starts with: node lib\/app\.js$/ });
test('main as a folder', plans, { 'package.json': { main: './lib' }, 'lib/index.js': '' }, { kind: 'node', command: [node, 'lib/index.js'] });
// npm init writes "main": "index.js" whether or not the file exists; npm start ignores main and runs server.js.
test('server.js when main names no file (npm init\'s package.json)', plans,
  { 'package.json': { name: 'app', main: 'index.js' }, 'server.js': '' }, { kind: 'node', command: [node, 'server.js'] });
test('server.js before main, as npm start would', plans, { 'package.json': { main: 'app.js' }, 'server.js': '', 'app.js': '' },
  { kind: 'node', command: [node, 'server.js'] });
test('a main that is missing before a build that makes it', plans,
  { 'package.json': { main: 'dist/app.js', scripts: { build: 'mkdir -p dist && touch dist/app.js' } } }, { kind: 'node', command: [node, 'dist/app.js'] });
test('server.js without start or main', plans, { 'package.json': {}, 'server.js': '', 'index.js': '' }, { kind: 'node', command: [node, 'server.js'] });
test('index.js without start or main', plans, { 'package.json': {}, 'index.js': '', 'app.js': '' }, { kind: 'node', command: [node, 'index.js'] });
test('app.js without start or main', plans, { 'package.json': {}, 'app.js': '' }, { kind: 'node', command: [node, 'app.js'] });
test('a package.json with nothing to start but an index.html', plans, { 'package.json': {}, 'public/index.html': '' },
  { kind: 'static', staticRoot: 'public', description: /^Static site built with Node\.js \(no dependencies\), served by Slipway from public\/$/ });
test('index.html at the root', plans, { 'index.html': '', 'public/index.html': '' },
  { kind: 'static', staticRoot: '.', description: /^Static site, served by Slipway from the app folder$/ });
test('public/index.html', plans, { 'public/index.html': '', 'dist/index.html': '' }, { kind: 'static', staticRoot: 'public' });
test('dist/index.html', plans, { 'dist/index.html': '', 'README.md': '' }, { kind: 'static', staticRoot: 'dist' });

const fails = test.macro({
  async exec(t, tree: Tree, message: RegExp, extra: Partial<BuildOptions> = {}) {
    const { run } = await build(tree, extra);
    const error = await t.throwsAsync(run());
    t.true(isSlipwayError(error, 'stage_failed'), String(error));
    t.is((error as SlipwayError).status, 422);
    t.is((error as SlipwayError).retry, 'stalled');
    t.regex(error.message, message);
  },
  title: (title = '') => `fails ${title}`,
});

test('for an app of no supported kind, listing what it looked for', fails, { 'README.md': 'hi', 'src/index.html': '' },
  /^no supported app found: looked for Procfile \(web:\), package\.json, go\.mod, index\.html, public\/index\.html, dist\/index\.html$/);
test('for a Procfile without web:, naming the types it has', fails, { Procfile: 'worker: node w.js\nclock: node c.js\n', 'index.html': '' },
  /Procfile has no web: line \(found only: worker, clock\)/);
test('for an empty Procfile', fails, { Procfile: '# nothing yet\n' }, /Procfile has no web: line \(found no process types\)/);
test('for package.json that is not JSON, naming the file', fails, { 'package.json': '{"name": "app",', 'server.js': '' }, /^package\.json is not valid JSON/);
test('for package.json that is not an object', fails, { 'package.json': '[]' }, /package\.json must hold a JSON object/);
test('for a Node.js app with nothing to start', fails, { 'package.json': { name: 'lib' }, 'lib/x.js': '' },
  /^Node\.js app has no way to start: package\.json has no "scripts\.start", and there is no server\.js \(what "npm start" runs without one\), index\.js or app\.js, nor a static site .*; add a "start" script/);
test('for a main that does not exist and nothing else to start', fails, { 'package.json': { main: 'index.js' } },
  /no "scripts\.start", and there is no server\.js \(what "npm start" runs without one\), "main" \("index\.js": no such file\)/);
test('before installing when nothing could make a start (npm is not even looked for)', async (t) => {
  const path = await emptyFolder();
  await fails.exec(t, { 'package.json': { main: 'index.js', dependencies: { a: '1' } } },
    /no way to start: .* checked before installing/, { basePath: path, nodeBinDir: path });
});
test('before installing when the start script runs a file that is not there', async (t) => {
  const path = await emptyFolder();
  await fails.exec(t, { 'package.json': { scripts: { start: 'node src/server.js' }, dependencies: { a: '1' } }, 'server.js': '' },
    /^package\.json "scripts\.start" is "node src\/server\.js", but src\/server\.js does not exist and no build script makes it/, { basePath: path, nodeBinDir: path });
});

const emptyFolder = () => writeTree({});
test('for a yarn.lock when yarn is not installed', async (t) => {
  const path = await emptyFolder();
  await fails.exec(t, { 'package.json': { dependencies: { a: '1' } }, 'yarn.lock': '', 'server.js': '' },
    /^yarn\.lock \(v1\) asks for yarn 1, which is not installed on the Slipway server and could not be fetched from the npm registry/, { basePath: path });
});
test('for a pnpm-lock.yaml when pnpm is not installed', async (t) => {
  const path = await emptyFolder();
  await fails.exec(t, { 'package.json': { packageManager: 'pnpm@9.1.0+sha512.abc', devDependencies: { a: '1' } }, 'pnpm-lock.yaml': '', 'server.js': '' },
    /^packageManager in package\.json asks for pnpm 9\.1\.0, which is not installed on the Slipway server and could not be fetched/, { basePath: path });
});
test('for dependencies when npm is not installed', async (t) => {
  const path = await emptyFolder();
  await fails.exec(t, { 'package.json': { dependencies: { a: '1' } }, 'server.js': '' },
    /package\.json needs installing, but npm is not installed/, { basePath: path, nodeBinDir: path });
});

test('the app env puts node_modules/.bin, then the server\'s node, first on PATH and sets NODE_ENV', async (t) => {
  const { dir, run } = await build({ 'package.json': start('node server.js'), 'server.js': '' }, { env: { PATH: '/opt/app/bin' } });
  const plan = await run();
  t.deepEqual(plan.env, { PATH: `${join(dir, 'node_modules', '.bin')}:${nodeBinDir}:/opt/app/bin`, NODE_ENV: 'production' });
});

test('the app\'s own NODE_ENV is left alone; a Procfile app without package.json gets node on PATH only', async (t) => {
  const { run } = await build({ Procfile: 'web: node a.js' }, { env: { NODE_ENV: 'staging' }, basePath: '/usr/bin' });
  t.deepEqual((await run()).env, { PATH: `${nodeBinDir}:/usr/bin` });
});

test('a static site needs no environment and runs nothing', async (t) => {
  const { lines, run } = await build({ 'index.html': '' });
  t.deepEqual((await run()).env, {});
  t.true(lines.every((line) => line.stream === 'system'));
});

test('an app with no dependencies stages without running anything and says so', async (t) => {
  const { lines, run } = await build({ 'package.json': start('node server.js'), 'package-lock.json': '{}', 'server.js': '' });
  await run();
  t.false(lines.some((line) => line.text.startsWith('running:')));
  t.true(lines.some((line) => /nothing to install or build/.test(line.text)));
});
