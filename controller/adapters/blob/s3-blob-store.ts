/**
 * The S3 blob store (AWS S3, Ceph radosgw, MinIO, …). Puts stream through
 * `@aws-sdk/lib-storage`'s `Upload`, whose memory is about part size × (queue size + 1):
 * 8 MiB parts one at a time keep an upload near 16 MiB whatever the archive's size.
 * S3 commits an object only when a single PutObject or CompleteMultipartUpload
 * succeeds, and `Upload` sends those only once the body ended cleanly; a body error or
 * an abort makes it abort the multipart upload instead, so nothing is left under the key.
 */
import {
  AbortMultipartUploadCommand, CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectsV2Command, ListPartsCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Transform, type Readable } from 'node:stream';
import { blobNotFound } from '../../../core/error-cases.ts';
import type { BlobInfo, BlobStore } from '../../../core/ports/blob-store.ts';
import { assertBlobKey } from './assert-blob-key.ts';
import { isMissing, translateS3Error } from './translate-s3-error.ts';

/** Settings of {@link createS3BlobStore}. */
export interface S3BlobStoreOptions {
  /** Built by `createS3Client` (checksums only when required). */
  client: S3Client;
  bucket: string;
  /** Multipart part size (SLIPWAY_S3_PART_BYTES, at least 5 MiB). */
  partBytes: number;
  /** Parts uploaded at once (default 1). */
  queueSize?: number;
  /** Incomplete multipart uploads older than this are aborted by `cleanLeftovers` (default 1 hour). */
  staleUploadMs?: number;
  /** The clock `cleanLeftovers` ages uploads by (tests). */
  now?: () => number;
}

/**
 * Why an hour: other replicas share the bucket and may be uploading right now, and an
 * upload's parts are sent one after another with no more than the server's 120 s idle
 * timeout between them; an hour is far beyond any upload that is still alive (1 GiB at
 * 5 Mbit/s takes under 30 min) and short enough that a crash loop does not pile up
 * gigabytes of orphaned parts, which S3 keeps and bills until they are aborted.
 */
const STALE_UPLOAD_MS = 60 * 60_000;
/** Where Slipway writes (see `sourceKey`): uploads of anyone else in the bucket are left alone. */
const SLIPWAY_PREFIX = 'sources/';

/** Parallel deletes while clearing a prefix. */
const DELETE_BATCH = 16;
const DEFAULT_TYPE = 'application/octet-stream';

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('the upload was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason });
}

/** A {@link BlobStore} in an S3 bucket, plus `ensureBucket` and `cleanLeftovers` (start-up) and `ready` (readiness probe). */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore & { ensureBucket(): Promise<void>; ready(): Promise<boolean>; cleanLeftovers(): Promise<{ count: number; bytes: number }> } {
  const { client, bucket } = options;

  async function head(key: string): Promise<BlobInfo | undefined> {
    try {
      const found = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: assertBlobKey(key) }));
      return { size: found.ContentLength ?? 0, contentType: found.ContentType ?? DEFAULT_TYPE };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw translateS3Error(error, 'read a blob');
    }
  }

  async function remove(key: string): Promise<void> {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (!isMissing(error)) throw translateS3Error(error, 'delete a blob');
    }
  }

  return {
    async put(key, body: Readable, { contentType, signal }) {
      assertBlobKey(key);
      signal?.throwIfAborted();
      let size = 0;
      let bodyError: Error | undefined;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback(null, chunk);
        },
      });
      body.on('error', (error) => counted.destroy(error));
      counted.on('error', (error) => {
        bodyError ??= error;
        body.destroy();
      });
      body.pipe(counted);
      // Aborting fails the body rather than the Upload's own controller: `Upload`
      // then aborts the multipart upload before `done()` settles.
      const onAbort = () => counted.destroy(abortError(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: counted, ContentType: contentType },
        partSize: options.partBytes,
        queueSize: options.queueSize ?? 1,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        throw bodyError ?? translateS3Error(error, 'store a blob');
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      if (signal?.aborted) {
        // Aborted after the body ended: the object may be stored already.
        await remove(key);
        throw abortError(signal);
      }
      return { size, contentType };
    },

    async get(key) {
      try {
        const found = await client.send(new GetObjectCommand({ Bucket: bucket, Key: assertBlobKey(key) }));
        return { body: found.Body as Readable, size: found.ContentLength ?? 0, contentType: found.ContentType ?? DEFAULT_TYPE };
      } catch (error) {
        if (isMissing(error)) throw blobNotFound(key.split('/').pop()!);
        throw translateS3Error(error, 'read a blob');
      }
    },

    head,

    delete: (key) => remove(assertBlobKey(key)),

    async deletePrefix(prefix) {
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        } catch (error) {
          throw translateS3Error(error, 'list blobs');
        }
        const keys = (page.Contents ?? []).map((object) => object.Key!).filter(Boolean);
        for (let i = 0; i < keys.length; i += DELETE_BATCH) {
          await Promise.all(keys.slice(i, i + DELETE_BATCH).map(remove));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    /**
     * Aborts incomplete multipart uploads under Slipway's prefix that were started more
     * than `staleUploadMs` ago: what a killed process leaves (S3 keeps, and bills, their
     * parts until someone aborts them). Returns how many, and the bytes of their parts.
     */
    async cleanLeftovers() {
      const cutoff = (options.now ?? Date.now)() - (options.staleUploadMs ?? STALE_UPLOAD_MS);
      let count = 0;
      let bytes = 0;
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      try {
        do {
          const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: SLIPWAY_PREFIX, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
          for (const upload of page.Uploads ?? []) {
            if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated.getTime() > cutoff) continue;
            const parts = await client.send(new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId })).catch(() => undefined);
            try {
              await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
            } catch (error) {
              // Another replica, starting at the same time, aborted it first.
              if (isMissing(error) || (error as { name?: string }).name === 'NoSuchUpload') continue;
              throw error;
            }
            count += 1;
            bytes += (parts?.Parts ?? []).reduce((sum, part) => sum + (part.Size ?? 0), 0);
          }
          const more = page.IsTruncated && (page.NextKeyMarker !== keyMarker || page.NextUploadIdMarker !== uploadIdMarker);
          keyMarker = more ? page.NextKeyMarker : undefined;
          uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
        } while (keyMarker !== undefined);
      } catch (error) {
        throw translateS3Error(error, 'list or abort incomplete uploads');
      }
      return { count, bytes };
    },

    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return;
      } catch (error) {
        if (!isMissing(error)) throw translateS3Error(error, `reach the bucket ${bucket}`);
      }
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') {
          throw translateS3Error(error, `create the bucket ${bucket}`);
        }
      }
    },

    async ready() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        return true;
      } catch {
        return false;
      }
    },
  };
}
