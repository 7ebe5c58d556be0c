import test from 'ava';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createFsBlobStore } from '../../../../controller/adapters/blob/fs-blob-store.ts';
import { safeUnpack } from '../../../../controller/archive/safe-unpack.ts';
import { storeUpload } from '../../../../controller/pipeline/store-upload.ts';
import { isSlipwayError } from '../../../../core/errors.ts';
import type { ArchiveFormat } from '../../../../core/types.ts';
import { badUploads, goodTree, tarOf, testLimits, tgzOf, zipOf, type BadUpload } from '../../../helpers/archives.ts';

const root = await mkdtemp(join(tmpdir(), 'slipway-store-upload-'));
test.after.always(() => rm(root, { recursive: true, force: true }));

/** Every file under `dir`, hidden ones (temp files, sidecars) included. */
async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

async function fixture() {
  const dir = await mkdtemp(join(root, 'case-'));
  const blobDir = join(dir, 'blobs');
  return { dir, blobDir, blobs: createFsBlobStore({ dir: blobDir }), tmpDir: dir };
}

const refuses = test.macro({
  async exec(t, bad: BadUpload) {
    const { blobs, blobDir, tmpDir } = await fixture();
    const error = await t.throwsAsync(storeUpload(
      { blobs, limits: { ...testLimits, ...bad.limits }, tmpDir },
      { namespace: 'ns', app: 'app', body: await bad.body() },
    ));
    t.true(isSlipwayError(error, bad.code), `${error?.message}`);
    t.deepEqual(await filesUnder(blobDir), [], 'nothing is left in the blob store');
    t.deepEqual((await readdir(tmpDir)).filter((name) => name.startsWith('slipway-spool-')), [], 'no spooled temp file is left');
  },
  title: (_title, bad: BadUpload) => `refuses ${bad.title} with ${bad.code}`,
});
for (const bad of badUploads) test(refuses, bad);

const roundTrip = test.macro({
  async exec(t, archive: () => Promise<Buffer>, format: ArchiveFormat, contentType: string) {
    const { blobs, dir, tmpDir } = await fixture();
    const bytes = await archive();
    const stored = await storeUpload({ blobs, limits: testLimits, tmpDir }, { namespace: 'ns', app: 'app', body: Readable.from([bytes]) });
    t.is(stored.format, format);
    t.is(stored.size, bytes.length);
    t.is(stored.key, `sources/ns/app/${stored.blobuid}`);
    t.regex(stored.blobuid, /^[0-9a-f-]{36}$/);
    const blob = await blobs.get(stored.key);
    t.is(blob.contentType, contentType);
    const fetched = await buffer(blob.body);
    t.deepEqual(fetched, bytes, 'the stored blob is the upload, byte for byte');

    const dest = join(dir, 'unpacked');
    await safeUnpack({ body: Readable.from([fetched]), format: stored.format, dest, limits: testLimits, tmpDir });
    t.is(await readFile(join(dest, 'package.json'), 'utf8'), '{"name":"demo","scripts":{"start":"node src/index.js"}}\n');
    t.is((await stat(join(dest, 'bin/run.sh'))).mode & 0o777, 0o755, 'the exec bit is kept');
    t.is((await stat(join(dest, 'src/index.js'))).mode & 0o777, 0o644);
    t.is(await readFile(join(dest, 'src/lib/deep/er/util.js'), 'utf8'), 'export const x = 1;\n');
    t.true((await stat(join(dest, 'empty'))).isDirectory(), 'empty folders are kept');
    t.is(await readlink(join(dest, 'bin/start')), 'run.sh');
    t.true((await lstat(join(dest, 'lib'))).isSymbolicLink());
    t.is(await readFile(join(dest, 'lib/deep/er/util.js'), 'utf8'), 'export const x = 1;\n', 'an inner symlink works');
    t.is(await readFile(join(dest, 'src/lib/deep/up'), 'utf8'), 'console.log("hi")\n');
  },
  title: (title = '') => `stores and unpacks a good ${title}`,
});

test('tar.gz', roundTrip, () => tgzOf(goodTree), 'tar.gz', 'application/gzip');
test('tar', roundTrip, () => tarOf(goodTree), 'tar', 'application/x-tar');
test('zip', roundTrip, async () => zipOf(goodTree), 'zip', 'application/zip');

test('an upload aborted by the client leaves nothing', async (t) => {
  const { blobs, blobDir, tmpDir } = await fixture();
  const controller = new AbortController();
  const bytes = await tgzOf(goodTree);
  const body = new Readable({ read() {} });
  body.push(bytes.subarray(0, 600));
  const pending = storeUpload({ blobs, limits: testLimits, tmpDir }, { namespace: 'ns', app: 'app', body, signal: controller.signal });
  setImmediate(() => controller.abort());
  const error = await t.throwsAsync(pending);
  t.is(error?.name, 'AbortError');
  t.deepEqual(await filesUnder(blobDir), []);
});
