/**
 * `slipway unpack --blob KEY --to DIR`, the staging Job's init container step, run as
 * the real CLI process against the filesystem store and an S3 emulator (fauxqs).
 */
import test, { type ExecutionContext } from 'ava';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createS3Client } from '../../../controller/adapters/blob/create-s3-client.ts';
import { createFsBlobStore } from '../../../controller/adapters/blob/fs-blob-store.ts';
import { createS3BlobStore } from '../../../controller/adapters/blob/s3-blob-store.ts';
import type { BlobStore } from '../../../core/ports/blob-store.ts';
import { goodTree, incompressibleTarGzStream, tarOf, tgzOf, zipOf, type EntrySpec } from '../../helpers/archives.ts';
import { runCli, type CliRun } from '../../helpers/run-cli.ts';
import { startS3Emulator } from '../../helpers/s3-emulator.ts';

const root = await mkdtemp(join(tmpdir(), 'slipway-unpack-'));
const emulator = startS3Emulator();
test.after.always(async () => {
  await (await emulator).close();
  await rm(root, { recursive: true, force: true });
});

// Distinctive credentials: fauxqs accepts any, and no output may ever show them.
const ACCESS_KEY = 'AKIAUNPACKTESTKEY0001';
const SECRET_KEY = 'unpack-secret-never-printed-7f3c9a';
const BUCKET = 'slipway-unpack-test';

/** One blob store the command can be pointed at, with the environment that selects it. */
interface Store {
  blobs: BlobStore;
  env: Record<string, string>;
}

type StoreName = 'filesystem' | 's3';
const dataDir = join(root, 'data');
const setups: Record<StoreName, () => Promise<Store>> = {
  filesystem: async () => ({ blobs: createFsBlobStore({ dir: join(dataDir, 'blobs') }), env: { SLIPWAY_BLOB_STORE: 'filesystem', SLIPWAY_DATA_DIR: dataDir } }),
  async s3() {
    const { endpoint } = await emulator;
    const blobs = createS3BlobStore({
      client: createS3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } }),
      bucket: BUCKET, partBytes: 5 * 2 ** 20,
    });
    await blobs.ensureBucket();
    return { blobs, env: { SLIPWAY_S3_ENDPOINT: endpoint, SLIPWAY_S3_BUCKET: BUCKET, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY } };
  },
};
const started = new Map<StoreName, Promise<Store>>();
/** The store, set up on first use (tests must be declared before anything is awaited). */
const storeOf = (name: StoreName): Promise<Store> => {
  if (!started.has(name)) started.set(name, setups[name]());
  return started.get(name)!;
};

const CONTENT_TYPES = { 'tar.gz': 'application/gzip', tar: 'application/x-tar', zip: 'application/zip' } as const;
type Format = keyof typeof CONTENT_TYPES;

async function archiveOf(format: Format, entries: EntrySpec[]): Promise<Buffer> {
  return format === 'tar.gz' ? tgzOf(entries) : format === 'tar' ? tarOf(entries) : zipOf(entries);
}

let counter = 0;

/** Stores `bytes` under a fresh key and returns the key and a fresh `work/dest` folder path. */
async function prepare(store: Store, bytes: Buffer, contentType: string): Promise<{ key: string; work: string; dest: string }> {
  const id = ++counter;
  const key = `sources/default/app${id}/blob-${id}`;
  await store.blobs.put(key, Readable.from([bytes]), { contentType });
  const work = join(root, `work-${id}`);
  await mkdir(work);
  return { key, work, dest: join(work, 'dest') };
}

function unpack(store: Store, key: string, dest: string, extra: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['unpack', '--blob', key, '--to', dest], { ...store.env, ...extra });
}

/** Every entry under `dir`: type, content or link target, and the owner's exec bit. */
async function describeTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const name = path.slice(dir.length + 1);
    const stats = await lstat(path);
    out[name] = stats.isSymbolicLink() ? `link -> ${await readlink(path)}`
      : stats.isDirectory() ? 'dir'
      : `file${stats.mode & 0o100 ? ' +x' : ''}: ${await readFile(path, 'utf8')}`;
  }
  return out;
}

/** What `entries` should look like unpacked (folders implied by paths included). */
function expectedTree(entries: EntrySpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const name = e.name.replace(/\/$/, '');
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) out[parts.slice(0, i).join('/')] = 'dir';
    const type = e.type ?? 'file';
    out[name] = type === 'directory' ? 'dir' : type === 'symlink' ? `link -> ${e.linkname}` : `file${(e.mode ?? 0o644) & 0o100 ? ' +x' : ''}: ${e.content ?? ''}`;
  }
  return out;
}

function assertNoCredentials(t: ExecutionContext, run: CliRun): void {
  for (const secret of [SECRET_KEY, ACCESS_KEY]) {
    t.false(run.stdout.includes(secret), 'stdout shows a credential');
    t.false(run.stderr.includes(secret), 'stderr shows a credential');
  }
}

const unpacksExactly = test.macro({
  async exec(t, name: StoreName, format: Format) {
    const store = await storeOf(name);
    const { key, dest } = await prepare(store, await archiveOf(format, goodTree), CONTENT_TYPES[format]);
    const run = await unpack(store, key, dest);
    t.is(run.code, 0, run.stderr);
    t.deepEqual(await describeTree(dest), expectedTree(goodTree));
    t.regex(run.stderr, /^fetched \d+\.\d kB$/m);
    t.regex(run.stderr, /^unpacked 4 files into /m);
    t.is(run.stdout, '');
    assertNoCredentials(t, run);
  },
  title: (_, name: StoreName, format: Format) => `${name}: a ${format} source is unpacked exactly (contents, exec bits, folders, inner symlinks)`,
});

const refusesTraversal = test.macro({
  async exec(t, name: StoreName, format: Format, entries: EntrySpec[], _what: string) {
    const store = await storeOf(name);
    const { key, work, dest } = await prepare(store, await archiveOf(format, entries), CONTENT_TYPES[format]);
    const run = await unpack(store, key, dest);
    t.is(run.code, 1);
    t.regex(run.stderr, /^slipway unpack: archive entry .* refused: .* \(unsafe_archive\)$/m);
    t.deepEqual(await readdir(work), ['dest'], 'nothing written beside the destination');
    t.deepEqual(await readdir(dest), [], 'the destination is emptied again');
    await t.throwsAsync(lstat(join(root, 'evil.txt')));
    assertNoCredentials(t, run);
  },
  title: (_, name: StoreName, format: Format, _entries: EntrySpec[], what: string) => `${name}: a ${format} with ${what} is refused and nothing lands outside DIR`,
});

for (const name of ['filesystem', 's3'] as const) {
  for (const format of ['tar.gz', 'tar', 'zip'] as const) test(unpacksExactly, name, format);
  const traversal = [{ name: 'ok.txt', content: 'fine' }, { name: '../evil.txt', content: 'x' }, { name: '../../evil.txt', content: 'x' }];
  test(refusesTraversal, name, 'tar.gz', traversal, 'a ../ entry');
  test(refusesTraversal, name, 'zip', traversal, 'a ../ entry');
  test(refusesTraversal, name, 'tar.gz', [{ name: 'link', type: 'symlink', linkname: '../..' }, { name: 'link/evil.txt', content: 'x' }], 'a symlink escaping');

  test(`${name}: a missing blob exits 1 with one line naming the key`, async (t) => {
    const dest = join(root, `missing-${name}`);
    const key = `sources/default/ghost/blob-does-not-exist-${name}`;
    const run = await unpack(await storeOf(name), key, dest);
    t.is(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    t.is(lines.length, 1, run.stderr);
    t.true(lines[0]!.startsWith('slipway unpack: no blob '));
    t.true(lines[0]!.includes(key));
    t.true(lines[0]!.endsWith('(blob_not_found)'));
    assertNoCredentials(t, run);
  });

  test(`${name}: SLIPWAY_MAX_ARCHIVE_ENTRIES applies`, async (t) => {
    const store = await storeOf(name);
    const entries = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.txt`, content: `${i}` }));
    const { key, dest } = await prepare(store, await tgzOf(entries), 'application/gzip');
    const run = await unpack(store, key, dest, { SLIPWAY_MAX_ARCHIVE_ENTRIES: '10' });
    t.is(run.code, 1);
    t.regex(run.stderr, /\(too_large\)$/m);
    t.regex(run.stderr, /SLIPWAY_MAX_ARCHIVE_ENTRIES/);
    t.deepEqual(await readdir(dest), []);
  });
}

test('s3: a 3 MB source reports its size in MB and its file count', async (t) => {
  const store = await storeOf('s3');
  const key = 'sources/default/big/blob-big';
  await store.blobs.put(key, incompressibleTarGzStream(3_000_000), { contentType: 'application/gzip' });
  const dest = join(root, 'big');
  const run = await unpack(store, key, dest);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /^fetching sources\/default\/big\/blob-big \(3\.\d MB\)$/m);
  t.regex(run.stderr, /^fetched 3\.\d MB$/m);
  t.regex(run.stderr, /^unpacked 1 file into /m);
  t.is((await lstat(join(dest, 'random.bin'))).size, 3_000_000);
});

test('files are group-writable so the buildpacks user (same gid) can build in them', async (t) => {
  const store = await storeOf('filesystem');
  const { key, dest } = await prepare(store, await tgzOf(goodTree), 'application/gzip');
  const run = await unpack(store, key, dest);
  t.is(run.code, 0, run.stderr);
  t.is((await lstat(join(dest, 'bin', 'run.sh'))).mode & 0o777, 0o775);
  t.is((await lstat(join(dest, 'src', 'index.js'))).mode & 0o777, 0o664);
  t.is((await lstat(join(dest, 'src'))).mode & 0o070, 0o070);
});

test('a blob stored with an unknown content type is recognised by its first bytes', async (t) => {
  const store = await storeOf('filesystem');
  const { key, dest } = await prepare(store, zipOf(goodTree), 'application/octet-stream');
  const run = await unpack(store, key, dest);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(await describeTree(dest), expectedTree(goodTree));
});

test('a destination that is not empty is refused and left alone', async (t) => {
  const store = await storeOf('filesystem');
  const { key, dest } = await prepare(store, await tgzOf(goodTree), 'application/gzip');
  await mkdir(dest);
  await writeFile(join(dest, 'keep.txt'), 'mine');
  const run = await unpack(store, key, dest);
  t.is(run.code, 1);
  t.regex(run.stderr, /not empty/);
  t.deepEqual(await readdir(dest), ['keep.txt']);
});

test('bad configuration exits 1 with one line naming the variable', async (t) => {
  const run = await runCli(['unpack', '--blob', 'sources/a/b/c', '--to', join(root, 'bad-config')], { SLIPWAY_MAX_UNPACKED_BYTES: 'lots', SLIPWAY_S3_ENDPOINT: 'not a url' });
  t.is(run.code, 1);
  const lines = run.stderr.trim().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /^slipway unpack: invalid configuration: .*\(invalid_config\)$/);
  t.regex(lines[0]!, /SLIPWAY_MAX_UNPACKED_BYTES/);
  t.regex(lines[0]!, /SLIPWAY_S3_ENDPOINT/);
});

test('an unreachable S3 endpoint exits 1 without credentials in the output', async (t) => {
  const s3 = await storeOf('s3');
  const run = await unpack(s3, 'sources/a/b/c', join(root, 'unreachable'), { SLIPWAY_S3_ENDPOINT: 'http://127.0.0.1:1' });
  t.is(run.code, 1);
  t.regex(run.stderr, /^slipway unpack: the blob store could not read a blob .*\(blob_store_unavailable\)$/m);
  assertNoCredentials(t, run);
});

const usage = test.macro({
  async exec(t, args: string[], message: RegExp) {
    const run = await runCli(['unpack', ...args], {});
    t.is(run.code, 2);
    t.regex(run.stderr, message);
    t.regex(run.stderr, /usage: slipway unpack --blob <key> --to <dir>/);
  },
  title: (what) => `usage: ${what} exits 2 with the usage line`,
});

test('without --to', usage, ['--blob', 'sources/a/b/c'], /--to is required/);
test('without --blob', usage, ['--to', '/tmp/x'], /--blob is required/);
test('an unknown option', usage, ['--blob', 'k', '--to', 'd', '--force'], /Unknown option '--force'/);

test('a key that is not a plain relative path is refused before anything is read', async (t) => {
  const run = await runCli(['unpack', '--blob', 'sources/../../etc/passwd', '--to', join(root, 'bad-key')], (await storeOf('filesystem')).env);
  t.is(run.code, 1);
  t.regex(run.stderr, /\(invalid_blob_key\)$/m);
});
