import type { Readable } from 'node:stream';

/** What is known about a stored blob. */
export interface BlobInfo {
  size: number;
  contentType: string;
}

/** Options for {@link BlobStore.put}. */
export interface PutOptions {
  contentType: string;
  /** Aborting cancels the upload and leaves nothing behind. */
  signal?: AbortSignal;
}

/**
 * Where source archives live (S3, or a folder for the embedded default). Bodies stream
 * in and out: memory does not grow with the blob's size.
 *
 * Keys are slash-separated and chosen by Slipway (see `sourceKey`), never by clients.
 */
export interface BlobStore {
  /** Streams `body` under `key`. On failure or abort nothing is left under `key`. */
  put(key: string, body: Readable, options: PutOptions): Promise<BlobInfo>;
  /** Opens a stored blob; throws `blob_not_found` when there is none. */
  get(key: string): Promise<{ body: Readable } & BlobInfo>;
  /** Size and type of a stored blob, or undefined. */
  head(key: string): Promise<BlobInfo | undefined>;
  /** Removes a blob; no error when it is already gone. */
  delete(key: string): Promise<void>;
  /** Removes every blob whose key starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
}

/** The blob key of an application's stored source. Stable, so a release can be restaged. */
export function sourceKey(namespace: string, app: string, blobuid: string): string {
  return `sources/${namespace}/${app}/${blobuid}`;
}

/** The key prefix holding every source of an application. */
export function sourcePrefix(namespace: string, app: string): string {
  return `sources/${namespace}/${app}/`;
}
