/**
 * One table of behaviour every BlobStore must show, run against the filesystem store,
 * the S3 store on fauxqs and the S3 store on a real Ceph radosgw. Not a test file by
 * itself (no `.test.ts`): the adapters' test files call `blobStoreContract`.
 */
import type { TestFn } from 'ava';
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { BlobStore } from '../../../core/ports/blob-store.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import { safeUnpack } from '../../../controller/archive/safe-unpack.ts';
import { storeUpload } from '../../../controller/pipeline/store-upload.ts';
import { badUploads, goodTree, testLimits, tgzOf } from '../../helpers/archives.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A store under test, with a way to see everything it holds (pending multipart uploads included). */
export interface StoreUnderTest {
  store: BlobStore;
  /** Keys (and unfinished uploads) under `prefix`. */
  leftovers(prefix: string): Promise<string[]>;
}

/** Bytes that arrive in `chunk`-sized pieces and then fail (a client that disconnects). */
function failingBody(total: number, failAfter: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= failAfter) return void this.destroy(Object.assign(new Error('client went away'), { code: 'ECONNRESET' }));
      const size = Math.min(1 << 20, total - sent);
      sent += size;
      this.push(randomBytes(size));
    },
  });
}

/** Registers the contract's tests for one adapter; `ready` resolves to the store (or rejects with why not). */
export function blobStoreContract(test: TestFn, name: string, ready: () => Promise<StoreUnderTest>): void {
  let unique = 0;
  const runId = `${process.pid}-${Date.now()}`;
  const prefix = () => `sources/contract/${name.replace(/\W+/g, '-')}-${runId}-${unique++}/`;

  test(`${name}: put, head, get and delete a blob`, async (t) => {
    const { store } = await ready();
    const key = `${prefix()}one`;
    const bytes = randomBytes(100_000);
    t.deepEqual(await store.put(key, Readable.from([bytes]), { contentType: 'application/gzip' }), { size: bytes.length, contentType: 'application/gzip' });
    t.deepEqual(await store.head(key), { size: bytes.length, contentType: 'application/gzip' });
    const got = await store.get(key);
    t.is(got.size, bytes.length);
    t.is(got.contentType, 'application/gzip');
    t.deepEqual(await buffer(got.body), bytes);
    await store.delete(key);
    t.is(await store.head(key), undefined);
    await t.notThrowsAsync(store.delete(key), 'deleting a missing blob is no error');
  });

  test(`${name}: a missing blob is blob_not_found`, async (t) => {
    const { store } = await ready();
    const error = await t.throwsAsync(store.get(`${prefix()}nope`));
    t.true(isSlipwayError(error, 'blob_not_found'));
    t.is(await store.head(`${prefix()}nope`), undefined);
  });

  test(`${name}: a multi-part blob streams in and out unchanged`, async (t) => {
    const { store } = await ready();
    const key = `${prefix()}big`;
    const hash = createHash('sha256');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= 13 * 2 ** 20) return void this.push(null);
        const chunk = randomBytes(1 << 20);
        hash.update(chunk);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    const info = await store.put(key, body, { contentType: 'application/x-tar' });
    t.is(info.size, 13 * 2 ** 20);
    const got = createHash('sha256');
    for await (const chunk of (await store.get(key)).body) got.update(chunk as Buffer);
    t.is(got.digest('hex'), hash.digest('hex'));
  });

  test(`${name}: deletePrefix removes only that prefix`, async (t) => {
    const { store } = await ready();
    const p = prefix();
    for (const k of ['a', 'b', 'c']) await store.put(`${p}app/${k}`, Readable.from([Buffer.from(k)]), { contentType: 'text/plain' });
    await store.put(`${p}app2/x`, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
    await store.deletePrefix(`${p}app/`);
    for (const k of ['a', 'b', 'c']) t.is(await store.head(`${p}app/${k}`), undefined);
    t.truthy(await store.head(`${p}app2/x`));
  });

  for (const [title, total, failAfter] of [['a small body', 300_000, 200_000], ['a multi-part body', 14 * 2 ** 20, 12 * 2 ** 20]] as const) {
    test(`${name}: ${title} that fails leaves nothing`, async (t) => {
      const { store, leftovers } = await ready();
      const p = prefix();
      const error = await t.throwsAsync(store.put(`${p}broken`, failingBody(total, failAfter), { contentType: 'application/gzip' }));
      t.is((error as { code?: string }).code, 'ECONNRESET');
      t.deepEqual(await leftovers(p), []);
    });
  }

  test(`${name}: an aborted put leaves nothing`, async (t) => {
    const { store, leftovers } = await ready();
    const p = prefix();
    const controller = new AbortController();
    let sent = 0;
    const body = new Readable({
      read() {
        sent += 1 << 20;
        if (sent === 10 * 2 ** 20) controller.abort();
        this.push(randomBytes(1 << 20));
      },
    });
    const error = await t.throwsAsync(store.put(`${p}aborted`, body, { contentType: 'application/gzip', signal: controller.signal }));
    t.is(error?.name, 'AbortError');
    t.deepEqual(await leftovers(p), []);
  });

  for (const bad of badUploads.filter((b) => /symlink escaping|gzip bomb|zip bomb|truncated tar.gz|too many entries/.test(b.title))) {
    test(`${name}: a refused upload (${bad.title}) leaves nothing`, async (t) => {
      const { store, leftovers } = await ready();
      const tmpDir = await mkdtemp(join(tmpdir(), 'slipway-contract-'));
      t.teardown(() => rm(tmpDir, { recursive: true, force: true }));
      const app = `app-${runId}-${unique++}`;
      const error = await t.throwsAsync(storeUpload(
        { blobs: store, limits: { ...testLimits, ...bad.limits }, tmpDir },
        { namespace: 'contract', app, body: await bad.body() },
      ));
      t.true(isSlipwayError(error, bad.code), error?.message);
      t.deepEqual(await leftovers(`sources/contract/${app}/`), []);
    });
  }

  test(`${name}: store → get → safeUnpack reproduces the files`, async (t) => {
    const { store } = await ready();
    const tmpDir = await mkdtemp(join(tmpdir(), 'slipway-contract-'));
    t.teardown(() => rm(tmpDir, { recursive: true, force: true }));
    const stored = await storeUpload({ blobs: store, limits: testLimits, tmpDir }, { namespace: 'contract', app: `app-${runId}-${unique++}`, body: Readable.from([await tgzOf(goodTree)]) });
    const blob = await store.get(stored.key);
    await safeUnpack({ body: blob.body, format: stored.format, dest: join(tmpDir, 'out'), limits: testLimits });
    t.is(await readFile(join(tmpDir, 'out/bin/start'), 'utf8'), '#!/bin/sh\necho hello\n');
  });
}

/** Objects and unfinished multipart uploads under `prefix`. */
export async function s3Leftovers(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return [...(objects.Contents ?? []).map((o) => o.Key!), ...(uploads.Uploads ?? []).map((u) => `upload:${u.Key}`)];
}
