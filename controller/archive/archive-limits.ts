/**
 * The caps every archive is held to (from SLIPWAY_MAX_UPLOAD_BYTES,
 * SLIPWAY_MAX_UNPACKED_BYTES and SLIPWAY_MAX_ARCHIVE_ENTRIES; see docs/blob-store.md).
 * Same shape as `Config['limits']`.
 */
export interface ArchiveLimits {
  /** Bytes of the archive as sent (compressed for tar.gz and zip). */
  uploadBytes: number;
  /** Bytes after decompression: the tar stream, or the sum of a zip's file sizes. */
  unpackedBytes: number;
  /** Entries of every kind (files, folders, links). */
  archiveEntries: number;
}
