import test from 'ava';
import { checkEntry, type RawEntry } from '../../../../controller/archive/check-entry.ts';
import { createArchiveTree } from '../../../../controller/archive/create-archive-tree.ts';
import { isSlipwayError } from '../../../../core/errors.ts';

const accepts = test.macro({
  exec(t, entry: RawEntry, path: string) {
    t.is(checkEntry(entry).path, path);
  },
  title: (_title, entry: RawEntry) => `accepts ${entry.kind} ${JSON.stringify(entry.path)}${entry.linkTarget ? ` -> ${entry.linkTarget}` : ''}`,
});

const refuses = test.macro({
  exec(t, entry: RawEntry, reason: RegExp) {
    const error = t.throws(() => checkEntry(entry));
    t.true(isSlipwayError(error, 'unsafe_archive'));
    t.is((error as { status?: number }).status, 422);
    t.regex(error.message, reason);
  },
  title: (_title, entry: RawEntry) => `refuses ${entry.kind} ${JSON.stringify(entry.path)}${entry.linkTarget ? ` -> ${entry.linkTarget}` : ''}`,
});

test(accepts, { path: 'a/b.txt', kind: 'file' }, 'a/b.txt');
test(accepts, { path: './a//b/./c', kind: 'file' }, 'a/b/c');
test(accepts, { path: './', kind: 'directory' }, '');
test(accepts, { path: 'dir/', kind: 'directory' }, 'dir');
test(accepts, { path: 'a..b/..c', kind: 'file' }, 'a..b/..c');
test(accepts, { path: 'bin/start', kind: 'symlink', linkTarget: 'run.sh' }, 'bin/start');
test(accepts, { path: 'a/b/up', kind: 'symlink', linkTarget: '../../x' }, 'a/b/up');
test(accepts, { path: 'copy', kind: 'hardlink', linkTarget: 'a/orig' }, 'copy');

test(refuses, { path: '../evil', kind: 'file' }, /"\.\."/);
test(refuses, { path: 'a/../../evil', kind: 'file' }, /"\.\."/);
test(refuses, { path: 'a/..', kind: 'directory' }, /"\.\."/);
test(refuses, { path: '/etc/passwd', kind: 'file' }, /absolute/);
test(refuses, { path: '\\windows\\system32', kind: 'file' }, /absolute/);
test(refuses, { path: 'C:\\evil.txt', kind: 'file' }, /absolute/);
test(refuses, { path: 'c:evil.txt', kind: 'file' }, /absolute/);
test(refuses, { path: '..\\..\\evil.txt', kind: 'file' }, /"\.\."/);
test(refuses, { path: 'a\\b.txt', kind: 'file' }, /backslash/);
test(refuses, { path: 'a\0b', kind: 'file' }, /NUL/);
test(refuses, { path: 'pipe', kind: 'special', typeName: 'FIFO' }, /FIFO/);
test(refuses, { path: 'tty', kind: 'special', typeName: 'CharacterDevice' }, /CharacterDevice/);
test(refuses, { path: 'link', kind: 'symlink', linkTarget: '../../etc' }, /outside/);
test(refuses, { path: 'a/link', kind: 'symlink', linkTarget: '../..' }, /outside/);
test(refuses, { path: 'link', kind: 'symlink', linkTarget: '/etc/passwd' }, /absolute/);
test(refuses, { path: 'link', kind: 'symlink', linkTarget: '' }, /no target/);
test(refuses, { path: './', kind: 'symlink', linkTarget: 'x' }, /root/);
test(refuses, { path: 'hard', kind: 'hardlink', linkTarget: '../../etc/shadow' }, /outside/);
test(refuses, { path: 'hard', kind: 'hardlink', linkTarget: '/etc/shadow' }, /outside/);

const treeRefuses = test.macro({
  exec(t, entries: RawEntry[], refused: string) {
    const tree = createArchiveTree();
    const error = t.throws(() => {
      for (const entry of entries) tree.add(entry);
      tree.finish();
    });
    t.true(isSlipwayError(error, 'unsafe_archive'));
    t.is((error as unknown as { data: { entry: string } }).data.entry, refused);
  },
  title: (title = '') => `the tree refuses ${title}`,
});

test('a file written through an earlier symlink', treeRefuses,
  [{ path: 'link', kind: 'symlink', linkTarget: 'sub' }, { path: 'link/evil', kind: 'file' }], 'link/evil');
test('a symlink that replaces a folder holding entries', treeRefuses,
  [{ path: 'sub/file', kind: 'file' }, { path: 'sub', kind: 'symlink', linkTarget: 'other' }], 'sub');
test('a symlink that escapes through another symlink', treeRefuses,
  [{ path: 'd/s', kind: 'symlink', linkTarget: '..' }, { path: 'a', kind: 'symlink', linkTarget: 'd/s/..' }], 'a');
test('a symlink loop', treeRefuses,
  [{ path: 'a', kind: 'symlink', linkTarget: 'b' }, { path: 'b', kind: 'symlink', linkTarget: 'a/x' }], 'a');
test('a hard link to something not in the archive', treeRefuses,
  [{ path: 'hard', kind: 'hardlink', linkTarget: 'missing' }], 'hard');
test('a hard link to a symlink', treeRefuses,
  [{ path: 's', kind: 'symlink', linkTarget: 'x' }, { path: 'hard', kind: 'hardlink', linkTarget: 's' }], 'hard');
test('a file replacing a symlink', treeRefuses,
  [{ path: 's', kind: 'symlink', linkTarget: 'x' }, { path: 's', kind: 'file' }], 's');

test('the tree accepts links that stay inside, in any order', (t) => {
  const tree = createArchiveTree();
  for (const entry of [
    { path: 'src/lib/util.js', kind: 'file' },
    { path: 'lib', kind: 'symlink', linkTarget: 'src/lib' },
    { path: 'src/lib/up', kind: 'symlink', linkTarget: '../../lib/util.js' },
    { path: 'copy.js', kind: 'hardlink', linkTarget: 'src/lib/util.js' },
  ] as RawEntry[]) tree.add(entry);
  t.notThrows(() => tree.finish());
});
