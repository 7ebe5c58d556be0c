import test from 'ava';
import { lstat, mkdir, mkdtemp, readdir, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { safeUnpack } from '../../../../controller/archive/safe-unpack.ts';
import { sniffArchive } from '../../../../controller/archive/sniff-archive.ts';
import { isSlipwayError } from '../../../../core/errors.ts';
import { badUploads, tgzOf, testLimits, type BadUpload } from '../../../helpers/archives.ts';

const root = await mkdtemp(join(tmpdir(), 'slipway-unpack-'));
test.after.always(() => rm(root, { recursive: true, force: true }));

/** Fails when any symlink under `dir` resolves outside it. */
async function assertContained(t: import('ava').ExecutionContext, dir: string) {
  const real = await realpath(dir);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const target = await realpath(join(entry.parentPath, entry.name)).catch(() => undefined);
    if (target !== undefined) t.true(target.startsWith(real + '/') || target === real, `${entry.name} resolves inside`);
  }
}

const refuses = test.macro({
  async exec(t, bad: BadUpload) {
    const box = await mkdtemp(join(root, 'box-'));
    const dest = join(box, 'dest');
    const error = await t.throwsAsync(async () => {
      const { format, body } = await sniffArchive(await bad.body());
      await safeUnpack({ body, format, dest, limits: { ...testLimits, ...bad.limits }, tmpDir: box });
    });
    t.true(isSlipwayError(error, bad.code), `${error?.message}`);
    t.deepEqual((await readdir(box)).filter((name) => name !== 'dest'), [], 'nothing is written beside dest');
    await assertContained(t, dest).catch(() => {});
  },
  title: (_title, bad: BadUpload) => `safeUnpack refuses ${bad.title}`,
});
for (const bad of badUploads) test(refuses, bad);

test('never writes through a symlink already in dest', async (t) => {
  const box = await mkdtemp(join(root, 'box-'));
  const outside = join(box, 'outside');
  const dest = join(box, 'dest');
  await mkdir(outside);
  await mkdir(dest);
  await symlink(outside, join(dest, 'sub'));
  const error = await t.throwsAsync(safeUnpack({
    body: Readable.from([await tgzOf([{ name: 'sub/evil.txt', content: 'x' }])]), format: 'tar.gz', dest, limits: testLimits,
  }));
  t.true(isSlipwayError(error, 'unsafe_archive'));
  t.deepEqual(await readdir(outside), []);
});

test('drops setuid, setgid and sticky bits but keeps the rest', async (t) => {
  const dest = join(await mkdtemp(join(root, 'box-')), 'dest');
  await safeUnpack({
    body: Readable.from([await tgzOf([{ name: 'suid', content: 'x', mode: 0o6755 }, { name: 'ro', content: 'y', mode: 0o444 }])]),
    format: 'tar.gz', dest, limits: testLimits,
  });
  t.is((await stat(join(dest, 'suid'))).mode & 0o7777, 0o755);
  t.is((await stat(join(dest, 'ro'))).mode & 0o7777, 0o444);
});

test('a later copy of a file replaces the earlier one; a hard link inside works', async (t) => {
  const dest = join(await mkdtemp(join(root, 'box-')), 'dest');
  await safeUnpack({
    body: Readable.from([await tgzOf([
      { name: 'a.txt', content: 'old' }, { name: 'a.txt', content: 'new' }, { name: 'b.txt', type: 'link', linkname: 'a.txt' },
    ])]),
    format: 'tar.gz', dest, limits: testLimits,
  });
  t.is((await stat(join(dest, 'b.txt'))).nlink, 2);
  t.true((await lstat(join(dest, 'b.txt'))).isFile());
  await writeFile(join(dest, 'check'), '');
});
