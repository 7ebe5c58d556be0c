/**
 * Pipeline step 1 for a directory push: the upload streams into the blob store while
 * it is checked (format from its first bytes, entry rules, size caps), never extracted.
 * tar and tar.gz are checked on the way through; a zip (its directory is at the end)
 * is spooled to a temp file, checked, then stored. A refused upload leaves nothing in
 * the blob store. The API route (`POST …/applications/:app/store`) maps the errors
 * to problem responses.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { sourceKey, type BlobStore } from '../../core/ports/blob-store.ts';
import type { ArchiveFormat } from '../../core/types.ts';
import type { ArchiveLimits } from '../archive/archive-limits.ts';
import { sniffArchive } from '../archive/sniff-archive.ts';
import { spoolToFile } from '../archive/spool-to-file.ts';
import { validateArchiveStream } from '../archive/validate-archive-stream.ts';
import { walkZip } from '../archive/walk-zip.ts';

/** Content type stored with each format (also what a download is served as). */
export const ARCHIVE_CONTENT_TYPES: Record<ArchiveFormat, string> = {
  'tar.gz': 'application/gzip',
  tar: 'application/x-tar',
  zip: 'application/zip',
};

/** What {@link storeUpload} needs. */
export interface StoreUploadDeps {
  blobs: BlobStore;
  limits: ArchiveLimits;
  /** Where zips are spooled while checked. */
  tmpDir: string;
}

/** One upload. */
export interface StoreUploadInput {
  namespace: string;
  app: string;
  body: Readable;
  signal?: AbortSignal;
}

/** The stored source. `size` is the archive's size as sent. */
export interface StoredUpload {
  blobuid: string;
  format: ArchiveFormat;
  size: number;
  key: string;
}

/**
 * Stores an uploaded tar.gz, tar or zip under `sourceKey(namespace, app, blobuid)` with a
 * fresh blobuid. Throws `unsupported_archive`, `unsafe_archive`, `too_large`,
 * `corrupt_archive`, or the blob store's error; in every such case nothing is stored.
 */
export async function storeUpload(deps: StoreUploadDeps, input: StoreUploadInput): Promise<StoredUpload> {
  const { format, body } = await sniffArchive(input.body);
  const blobuid = randomUUID();
  const key = sourceKey(input.namespace, input.app, blobuid);
  const contentType = ARCHIVE_CONTENT_TYPES[format];
  if (format === 'zip') {
    const spooled = await spoolToFile(body, { tmpDir: deps.tmpDir, maxBytes: deps.limits.uploadBytes, signal: input.signal });
    try {
      await walkZip(spooled.file, deps.limits);
      const stored = await deps.blobs.put(key, createReadStream(spooled.file), { contentType, signal: input.signal });
      return { blobuid, format, size: stored.size, key };
    } finally {
      await spooled.dispose();
    }
  }
  const validator = validateArchiveStream(format, deps.limits);
  body.on('error', (error) => validator.destroy(error));
  validator.on('error', () => body.destroy());
  body.pipe(validator);
  const stored = await deps.blobs.put(key, validator, { contentType, signal: input.signal });
  return { blobuid, format, size: stored.size, key };
}
