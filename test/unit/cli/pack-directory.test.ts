import test from 'ava';
import { truncateSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { CliError } from '../../../cli/cli-error.ts';
import { packDirectory } from '../../../cli/pack-directory.ts';
import { readTarGz } from '../../helpers/fake-api.ts';

const dirs: string[] = [];
test.after.always(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-cli-pack-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) {
      await mkdir(join(root, path), { recursive: true });
      continue;
    }
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function names(root: string): Promise<string[]> {
  const packed = await packDirectory(root);
  return (await readTarGz(await buffer(packed.stream))).map((e) => e.name).filter((n) => !n.endsWith('/'));
}

const packs = test.macro({
  async exec(t, files: Record<string, string>, expected: string[]) {
    t.deepEqual(await names(await tree(files)), expected);
  },
  title: (title) => `packs ${title}`,
});

test('root .gitignore rules everywhere, nested ones only below their folder', packs, {
  '.gitignore': '*.log\n/build\n',
  'build/out.js': 'x',
  'src/build/keep.js': 'x',
  'src/a.log': 'x',
  'web/.gitignore': 'dist/\n',
  'web/dist/app.js': 'x',
  'api/dist/app.js': 'x',
}, ['.gitignore', 'api/dist/app.js', 'src/build/keep.js', 'web/.gitignore']);

test('negated rules re-include files', packs, {
  '.slipwayignore': '*.env\n!example.env\n',
  'prod.env': 'SECRET=1',
  'example.env': 'SECRET=',
}, ['.slipwayignore', 'example.env']);

test('a !rule in .slipwayignore brings back what .gitignore leaves out (the empty-folder hint says so)', packs, {
  '.gitignore': 'dist/\n',
  '.slipwayignore': '!dist/\n',
  'dist/index.html': 'x',
}, ['.gitignore', '.slipwayignore', 'dist/index.html']);

test('.epinioignore like Epinio, and .git always', packs, {
  '.epinioignore': 'docs\n',
  'docs/readme.md': 'x',
  '.git/config': 'x',
  'sub/.git/HEAD': 'x',
  'app.py': 'x',
}, ['.epinioignore', 'app.py']);

test('paths longer than 100 characters', packs, {
  [`${'d'.repeat(60)}/${'f'.repeat(80)}.txt`]: 'long',
}, [`${'d'.repeat(60)}/${'f'.repeat(80)}.txt`]);

test('empty folders are kept', async (t) => {
  const root = await tree({ 'empty/': '', 'a.txt': 'x' });
  const entries = await readTarGz(await buffer((await packDirectory(root)).stream));
  t.deepEqual(entries.map((e) => `${e.type} ${e.name}`), ['file a.txt', 'directory empty/']);
});

test('sockets and FIFOs are skipped and reported', async (t) => {
  const root = await tree({ 'a.txt': 'x' });
  execFileSync('mkfifo', [join(root, 'pipe')]);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(root, 'sock'), resolve));
  t.teardown(() => server.close());
  const packed = await packDirectory(root);
  t.deepEqual(packed.skipped, ['pipe', 'sock']);
  t.deepEqual((await readTarGz(await buffer(packed.stream))).map((e) => e.name), ['a.txt']);
});

test('the same tree packs to the same bytes', async (t) => {
  const root = await tree({ 'b.txt': 'b', 'a/z.txt': 'z', 'a/y.txt': 'y', 'C.txt': 'c' });
  const first = await buffer((await packDirectory(root)).stream);
  const second = await buffer((await packDirectory(root)).stream);
  t.true(first.equals(second));
  t.deepEqual((await readTarGz(first)).map((e) => e.name), ['C.txt', 'a/', 'a/y.txt', 'a/z.txt', 'b.txt']);
});

test('counts entries and content bytes, and reports progress up to the total', async (t) => {
  const root = await tree({ 'a.txt': 'hello', 'b/c.txt': 'world!' });
  const seen: number[] = [];
  const packed = await packDirectory(root, { onProgress: (n) => seen.push(n) });
  await buffer(packed.stream);
  t.is(packed.entries, 3);
  t.is(packed.bytes, 11);
  t.is(seen.at(-1), 11);
});

test('a file that shrinks while packing fails the stream with a clear error', async (t) => {
  const root = await tree({ 'a.txt': 'first', 'b.txt': 'x'.repeat(100_000) });
  let truncated = false;
  const packed = await packDirectory(root, {
    onProgress: () => {
      if (truncated) return;
      truncated = true;
      // Synchronous on purpose: b.txt must be shorter before the packer opens it.
      truncateSync(join(root, 'b.txt'), 10);
    },
  });
  const error = await t.throwsAsync(buffer(packed.stream));
  t.true(error instanceof CliError);
  t.regex(error.message, /cannot pack b\.txt: it changed while packing/);
});

test('a missing directory is a usage error', async (t) => {
  const error = await t.throwsAsync(packDirectory(join(tmpdir(), 'slipway-does-not-exist-42')));
  t.true(error instanceof CliError);
  t.is((error as CliError).exitCode, 2);
});

test('packDirectory refuses a folder with nothing to push (empty_source, exit 2)', async (t) => {
  const error = await t.throwsAsync(packDirectory(await tree({ 'only/': '', '.gitignore': '*.log\n', 'a.log': 'x' })));
  t.like(error as CliError, { code: 'empty_source', exitCode: 2 });
  t.regex(error.message, /holds only ignored files \(1 ignored by \.gitignore: a\.log\)/);
});
