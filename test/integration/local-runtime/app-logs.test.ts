/**
 * The local runtime on its own (no server): an app's output outlives the server process.
 */
import test from 'ava';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { createLocalRuntime } from '../../../controller/adapters/local/create-local-runtime.ts';
import { createAppLogFiles } from '../../../controller/adapters/local/app-log-files.ts';
import { createFsBlobStore } from '../../../controller/adapters/blob/fs-blob-store.ts';
import { sourceKey } from '../../../core/ports/blob-store.ts';
import { silentLogger } from '../../../core/ports/logger.ts';
import type { LogLine } from '../../../core/ports/runtime.ts';
import { tgzOf } from '../../helpers/archives.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const BLOB = '00000000-0000-4000-8000-000000000009';
const CRASH = `console.log('connecting to the database');\nthrow new Error('boom: DATABASE_URL is not set');\n`;

async function openRuntime(dataDir: string, tmpDir: string) {
  return createLocalRuntime({
    blobs: createFsBlobStore({ dir: join(tmpDir, 'blobs') }), logger: silentLogger, dataDir, tmpDir, systemDomain: 'localhost',
    limits: { uploadBytes: 2 ** 20, unpackedBytes: 2 ** 20, archiveEntries: 100 }, nodeBinDir: dirname(process.execPath), readyTimeoutMs: 20_000, graceMs: 1000,
  });
}

async function read(logs: AsyncIterable<LogLine>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of logs) lines.push(line.text);
  return lines;
}

test('a crash at start is still in `app logs` after the server restarted', async (t) => {
  const temp = await makeTempDir('slipway-app-logs-');
  t.teardown(() => temp.cleanup());
  const dataDir = join(temp.dir, 'runtime');
  await createFsBlobStore({ dir: join(temp.dir, 'blobs') }).put(sourceKey('ws', 'api', BLOB), Readable.from([await tgzOf([
    { name: 'Procfile', content: 'web: node app.js\n' },
    { name: 'app.js', content: CRASH },
  ])]), { contentType: 'application/gzip' });

  const first = await openRuntime(dataDir, temp.dir);
  await first.runtime.stage({ namespace: 'ws', app: 'api', stageId: 's1', blobuid: BLOB, env: {} });
  const error = await t.throwsAsync(first.runtime.deploy({ namespace: 'ws', app: 'api', stageId: 's1', image: 'local/ws/api:s1', instances: 1, env: {}, routes: ['api.localhost'] }));
  t.regex(error.message, /first error: Error: boom: DATABASE_URL is not set/);
  await first.close();

  const second = await openRuntime(dataDir, temp.dir);
  t.teardown(() => second.close());
  const lines = await read(second.runtime.logs('ws', 'api', { follow: false }));
  t.true(lines.includes('connecting to the database'), lines.join('\n'));
  t.true(lines.includes('Error: boom: DATABASE_URL is not set'));
  t.true(lines.some((line) => line.startsWith('release s1 did not start: exited with code 1')));

  await second.runtime.delete('ws', 'api');
  t.deepEqual(await readdir(join(dataDir, 'app-logs/ws')), [], 'deleting the app removes its logs');
});

test('a release log is bounded: past its size it rotates once, and the newest lines are read back', async (t) => {
  const temp = await makeTempDir('slipway-app-logs-');
  t.teardown(() => temp.cleanup());
  const files = createAppLogFiles(temp.dir, 4096);
  const file = files.open('ws', 'api', 's1');
  for (let i = 0; i < 1000; i++) file.write({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(), stream: 'stdout', text: `line ${i}` });
  await file.close();
  const names = (await readdir(join(temp.dir, 'ws/api'))).sort();
  t.deepEqual(names, ['s1.ndjson', 's1.old.ndjson']);
  for (const name of names) t.true((await stat(join(temp.dir, 'ws/api', name))).size <= 4096);
  const recent = await files.readRecent('ws', 'api', 10);
  t.deepEqual(recent.map((line) => line.text), Array.from({ length: 10 }, (_, i) => `line ${990 + i}`));
});
