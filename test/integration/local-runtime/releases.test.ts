/**
 * The local runtime on its own (no server): what stages leave on disk.
 */
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { createLocalRuntime } from '../../../controller/adapters/local/create-local-runtime.ts';
import { createFsBlobStore } from '../../../controller/adapters/blob/fs-blob-store.ts';
import { sourceKey } from '../../../core/ports/blob-store.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import { tgzOf } from '../../helpers/archives.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function runtimeWithSite(t: { teardown(fn: () => Promise<void>): void }) {
  const temp = await makeTempDir('slipway-local-rt-');
  const blobs = createFsBlobStore({ dir: join(temp.dir, 'blobs') });
  await blobs.put(sourceKey('ws', 'site', '00000000-0000-4000-8000-000000000001'), Readable.from([await tgzOf([{ name: 'index.html', content: '<h1>hi</h1>' }])]), { contentType: 'application/gzip' });
  const parts = await createLocalRuntime({
    blobs, logger: silentLogger, dataDir: join(temp.dir, 'runtime'), tmpDir: temp.dir, systemDomain: 'localhost',
    limits: { uploadBytes: 2 ** 20, unpackedBytes: 2 ** 20, archiveEntries: 100 }, nodeBinDir: dirname(process.execPath),
  });
  t.teardown(async () => { await parts.close(); await temp.cleanup(); });
  return { ...parts, dir: temp.dir };
}

test('only the newest 12 releases of an app are kept on disk, and the serving one is never removed', async (t) => {
  const { runtime, dir } = await runtimeWithSite(t);
  const stage = (n: number) => runtime.stage({ namespace: 'ws', app: 'site', stageId: `s${String(n).padStart(3, '0')}`, blobuid: '00000000-0000-4000-8000-000000000001', env: {} });
  await stage(0);
  await runtime.deploy({ namespace: 'ws', app: 'site', stageId: 's000', image: 'local/ws/site:s000', instances: 1, env: {}, routes: ['site.localhost'] });
  for (let n = 1; n <= 14; n++) await stage(n);
  const left = (await readdir(join(dir, 'runtime/releases/ws/site'))).filter((f) => !f.endsWith('.json')).sort();
  t.is(left.length, 13);
  t.is(left[0], 's000', 'the serving release stays');
  t.deepEqual(left.slice(1), Array.from({ length: 12 }, (_, i) => `s${String(i + 3).padStart(3, '0')}`));
});

test('deploying a release reports its size on disk', async (t) => {
  const { runtime } = await runtimeWithSite(t);
  await runtime.stage({ namespace: 'ws', app: 'site', stageId: 'sized', blobuid: '00000000-0000-4000-8000-000000000001', env: {} });
  const output = await runtime.deploy({ namespace: 'ws', app: 'site', stageId: 'sized', image: 'local/ws/site:sized', instances: 1, env: {}, routes: ['site.localhost'] });
  t.is(output.sizeBytes, '<h1>hi</h1>'.length);
});

test('a stage log is kept after the stage and read back whole', async (t) => {
  const { runtime } = await runtimeWithSite(t);
  await runtime.stage({ namespace: 'ws', app: 'site', stageId: 'logged', blobuid: '00000000-0000-4000-8000-000000000001', env: {} });
  const lines = [];
  for await (const line of runtime.stagingLogs('ws', 'logged', { follow: true })) lines.push(line.text);
  t.is(lines[0], 'unpacking source 00000000-0000-4000-8000-000000000001');
  t.is(lines.at(-1), 'stage succeeded');
  t.true(lines.some((l) => /static/i.test(l)));
});

test('a failed stage leaves no release folder and says what was looked for', async (t) => {
  const { runtime, dir } = await runtimeWithSite(t);
  const blobs = createFsBlobStore({ dir: join(dir, 'blobs') });
  await blobs.put(sourceKey('ws', 'site', '00000000-0000-4000-8000-000000000002'), Readable.from([await tgzOf([{ name: 'notes.txt', content: 'x' }])]), { contentType: 'application/gzip' });
  const error = await t.throwsAsync(runtime.stage({ namespace: 'ws', app: 'site', stageId: 'bad', blobuid: '00000000-0000-4000-8000-000000000002', env: {} }));
  t.regex(error.message, /Procfile.*package\.json.*index\.html/s);
  t.deepEqual((await readdir(join(dir, 'runtime/releases/ws/site')).catch(() => [])).filter((f) => f.startsWith('bad')), []);
});
