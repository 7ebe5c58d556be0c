import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createFsBlobStore } from '../../../../../controller/adapters/blob/fs-blob-store.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';

const dir = await mkdtemp(join(tmpdir(), 'slipway-fs-unit-'));
test.after.always(() => rm(dir, { recursive: true, force: true }));
const store = createFsBlobStore({ dir });

const refusesKey = test.macro({
  async exec(t, key: string) {
    const error = await t.throwsAsync(store.put(key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' }));
    t.true(isSlipwayError(error, 'invalid_blob_key'));
    t.deepEqual(await readdir(dir), [], 'nothing was written anywhere');
  },
  title: (_title, key: string) => `refuses the key ${JSON.stringify(key)}`,
});

for (const key of ['', '/etc/passwd', '../escape', 'a/../../b', 'a\\b', 'a//b', 'a/./b', 'a/.hidden', 'a\0b']) test.serial(refusesKey, key);

test.serial('a blob keeps its content type and leaves no temp file', async (t) => {
  await store.put('sources/ns/app/one', Readable.from([Buffer.from('hello')]), { contentType: 'application/gzip' });
  t.deepEqual(await store.head('sources/ns/app/one'), { size: 5, contentType: 'application/gzip' });
  t.deepEqual((await readdir(join(dir, 'sources/ns/app'))).sort(), ['.one.meta.json', 'one']);
  const again = createFsBlobStore({ dir });
  t.is((await again.get('sources/ns/app/one')).contentType, 'application/gzip', 'a new instance reads the sidecar');
  t.true(await store.ready());
});
