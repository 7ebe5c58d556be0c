import test from 'ava';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LogLine } from '../../../core/ports/runtime.ts';
import { buildRelease, type ReleasePlan } from '../../../controller/adapters/local/build/build-release.ts';
import { removeTrees, writeTree, type Tree } from '../../unit/controller/adapters/local/build/write-tree.ts';

test.after.always(removeTrees);

const nodeBinDir = dirname(process.execPath);
const node = join(nodeBinDir, 'node');

/** A build script that writes `files`, as a framework's build would (no dependencies, so no install runs). */
const buildWrites = (files: Record<string, string>): Tree => ({
  'make.js': `const fs = require("node:fs"), path = require("node:path");\nfor (const [file, text] of Object.entries(${JSON.stringify(files)})) {\n  fs.mkdirSync(path.dirname(file), { recursive: true });\n  fs.writeFileSync(file, text);\n}\n`,
});

const builds = test.macro({
  async exec(t, scripts: Record<string, string>, tree: Tree, expected: Partial<ReleasePlan>, note?: RegExp) {
    const dir = await writeTree({ 'package.json': { name: 'front', version: '1.0.0', scripts: { build: 'node make.js', ...scripts } }, ...tree });
    const lines: Array<Omit<LogLine, 'time'>> = [];
    const plan = await buildRelease({ dir, env: { npm_config_offline: 'true' }, log: (line) => lines.push(line), nodeBinDir, timeoutMs: 60_000 });
    t.like(plan, expected);
    if (expected.fallback === undefined) t.is(plan.fallback, undefined);
    if (note !== undefined) t.true(lines.some((line) => line.stream === 'system' && note.test(line.text)), JSON.stringify(lines));
  },
  title: (title = '') => `a built front-end: ${title}`,
});

const devServerNote = /"scripts\.start" runs a development server \(.*\); serving the build's output instead/;

test('Create React App serves build/, not react-scripts start', builds,
  { start: 'react-scripts start' },
  { 'public/index.html': '<div id="root"></div>', ...buildWrites({ 'build/index.html': 'built', 'build/static/js/main.js': '' }) },
  { kind: 'static', staticRoot: 'build', fallback: 'index.html' }, devServerNote);
test('SvelteKit adapter-node runs build/index.js', builds, {},
  buildWrites({ 'build/index.js': 'import "./handler.js";', 'build/handler.js': '', 'build/client/favicon.png': '' }),
  { kind: 'node', command: [node, 'build/index.js'], description: 'Node.js app (no dependencies, build script), starts with: node build/index.js' });
test('Nuxt runs .output/server/index.mjs', builds, { dev: 'nuxt dev' },
  buildWrites({ '.output/server/index.mjs': '', '.output/public/favicon.ico': '' }),
  { kind: 'node', command: [node, '.output/server/index.mjs'] });
test('Nuxt generate serves .output/public/', builds, { generate: 'nuxt generate' },
  buildWrites({ '.output/public/index.html': 'generated' }), { kind: 'static', staticRoot: '.output/public', fallback: 'index.html' });
test('a Next.js static export serves out/', builds, {}, buildWrites({ 'out/index.html': 'exported', 'out/_next/x.js': '' }),
  { kind: 'static', staticRoot: 'out', fallback: 'index.html' });
test('Angular serves dist/<project>/browser/, not ng serve', builds, { start: 'ng serve' },
  { 'src/index.html': '', ...buildWrites({ 'dist/my-app/browser/index.html': 'ng', 'dist/my-app/3rdpartylicenses.txt': '' }) },
  { kind: 'static', staticRoot: 'dist/my-app/browser', fallback: 'index.html' }, devServerNote);
test('Gatsby serves public/ after a build, not gatsby develop', builds, { start: 'gatsby develop' },
  buildWrites({ 'public/index.html': 'gatsby' }), { kind: 'static', staticRoot: 'public', fallback: 'index.html' }, devServerNote);
test('Vite with "start": "vite" serves dist/', builds, { start: 'vite', preview: 'vite preview' },
  { 'index.html': '<script type="module" src="/src/main.js"></script>', ...buildWrites({ 'dist/index.html': 'vite' }) },
  { kind: 'static', staticRoot: 'dist', fallback: 'index.html' }, devServerNote);
test('a production start script (next start) still wins', builds, { start: 'next start' }, buildWrites({ '.next/BUILD_ID': 'x', 'out/index.html': '' }),
  { kind: 'node', command: ['/bin/sh', '-c', 'exec next start'] });
test('a dev-server start with no known output is still started, with a note', builds, { start: 'vite --host' }, buildWrites({ 'elsewhere/index.html': '' }),
  { kind: 'node', command: ['/bin/sh', '-c', 'exec vite --host'] }, /runs a development server \(vite --host\) and the build wrote no known output/);

test('a built static site keeps only the folder that serves', async (t) => {
  const dir = await writeTree({
    'package.json': { name: 'front', version: '1.0.0', scripts: { build: 'node make.js' }, devDependencies: { tool: 'file:tools/tool' } },
    'tools/tool/package.json': { name: 'tool', version: '1.0.0' },
    'src/main.js': '',
    'index.html': 'template',
    ...buildWrites({ 'dist/index.html': 'built', 'dist/assets/app.js': '' }),
  });
  const plan = await buildRelease({ dir, env: { npm_config_offline: 'true' }, log: () => {}, nodeBinDir, timeoutMs: 60_000 });
  t.like(plan, { kind: 'static', staticRoot: 'dist' });
  t.deepEqual(await readdir(dir), ['dist']);
  t.deepEqual((await readdir(join(dir, 'dist'))).sort(), ['assets', 'index.html']);
});
