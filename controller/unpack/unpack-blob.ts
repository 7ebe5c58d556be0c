/**
 * The work of `slipway unpack`, the staging Job's init container: fetch one source
 * archive from the blob store and unpack it into the volume the buildpacks lifecycle
 * builds from. The archive was checked when it was stored, but it is checked again
 * here (`safeUnpack`): the blob store is not trusted to hold what the API wrote.
 */
import { chmod, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { SlipwayError } from '../../core/errors.ts';
import { isSlipwayError } from '../../core/errors.ts';
import type { BlobStore } from '../../core/ports/blob-store.ts';
import type { ArchiveFormat } from '../../core/types.ts';
import type { ArchiveLimits } from '../archive/archive-limits.ts';
import { safeUnpack } from '../archive/safe-unpack.ts';
import { sniffArchive } from '../archive/sniff-archive.ts';

/** Content types the store and import steps write (as the local runtime maps them). */
const FORMATS: Record<string, ArchiveFormat> = { 'application/gzip': 'tar.gz', 'application/x-tar': 'tar', 'application/zip': 'zip' };

/** Input of {@link unpackBlob}. */
export interface UnpackBlobInput {
  blobs: BlobStore;
  /** Full blob key, e.g. `sources/<ns>/<app>/<blobuid>`. */
  key: string;
  /** Created when missing; must be empty otherwise. */
  dest: string;
  limits: ArchiveLimits;
  /** Where a zip is spooled while it is read (default: the OS temp folder). */
  tmpDir?: string;
  /** Receives progress, one human line at a time. */
  progress: (line: string) => void;
  /** Milliseconds between "fetched …" lines while downloading (default 2,000). */
  progressEveryMs?: number;
}

/** What {@link unpackBlob} did. */
export interface UnpackBlobResult {
  format: ArchiveFormat;
  fetchedBytes: number;
  files: number;
}

/** `12.3 MB`, or `45.6 kB` below a megabyte (decimal units, as download tools show them). */
export function formatMegabytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Fetches `key` and unpacks it into `dest` under the upload rules. Every folder and
 * file the owner may write becomes group-writable too: the build writes into the
 * source folder (node_modules, build output), and it may run as another user of the
 * same group than the one unpacking (the paketo builders' cnb user is 1001:1000; a
 * builder with another uid but gid 1000 still works). On failure `dest` is
 * emptied again, so a half-unpacked tree is never built; nothing outside it is touched.
 * Throws `blob_not_found` (naming the key), `unsafe_archive`, `too_large`,
 * `corrupt_archive`, `unsupported_archive` or `blob_store_unavailable`.
 */
export async function unpackBlob(input: UnpackBlobInput): Promise<UnpackBlobResult> {
  const dest = resolve(input.dest);
  await assertEmptyFolder(dest);
  let blob;
  try {
    blob = await input.blobs.get(input.key);
  } catch (error) {
    if (isSlipwayError(error, 'blob_not_found')) {
      throw new SlipwayError('blob_not_found', `no blob ${JSON.stringify(input.key)} in the blob store; was the source deleted, or does the Job use another bucket than the server?`, {
        status: 404, retry: 'stalled', data: { key: input.key },
      });
    }
    throw error;
  }
  input.progress(`fetching ${input.key} (${formatMegabytes(blob.size)})`);
  let fetched = 0;
  let lastLine = Date.now();
  const every = input.progressEveryMs ?? 2_000;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      fetched += chunk.length;
      if (Date.now() - lastLine >= every) {
        lastLine = Date.now();
        input.progress(`fetched ${formatMegabytes(fetched)}`);
      }
      callback(null, chunk);
    },
  });
  blob.body.on('error', (error) => counter.destroy(error));
  counter.on('close', () => { if (!blob.body.readableEnded) blob.body.destroy(); });
  const counted = blob.body.pipe(counter);
  try {
    const known = FORMATS[blob.contentType];
    // An unknown content type (an object put by hand) is judged by its first bytes.
    const { format, body } = known ? { format: known, body: counted as Readable } : await sniffArchive(counted);
    await safeUnpack({ body, format, dest, limits: input.limits, tmpDir: input.tmpDir });
    input.progress(`fetched ${formatMegabytes(fetched)}`);
    const files = await shareWithGroup(dest);
    input.progress(`unpacked ${files.toLocaleString('en-US')} file${files === 1 ? '' : 's'} into ${dest}`);
    return { format, fetchedBytes: fetched, files };
  } catch (error) {
    counted.destroy();
    await emptyFolder(dest);
    throw error;
  }
}

/** Refuses a `dest` that holds anything: entries never replace what is there, and a failure empties it. */
async function assertEmptyFolder(dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const names = await readdir(dest);
  if (names.length > 0) {
    throw new SlipwayError('invalid_request', `refusing to unpack into ${dest}: it is not empty (holds ${JSON.stringify(names[0])})`, { status: 400, retry: 'stalled', data: { dest } });
  }
}

async function emptyFolder(dest: string): Promise<void> {
  for (const name of await readdir(dest).catch(() => [] as string[])) await rm(join(dest, name), { recursive: true, force: true });
}

/** Adds group write (and search, for folders) where the owner has it; counts regular files. */
async function shareWithGroup(dest: string): Promise<number> {
  let files = 0;
  const entries = await readdir(dest, { recursive: true, withFileTypes: true });
  for (const path of [dest, ...entries.filter((e) => !e.isSymbolicLink()).map((e) => join(e.parentPath, e.name))]) {
    const stats = await lstat(path);
    if (stats.isFile()) files++;
    const mode = stats.mode & 0o777;
    const shared = mode | ((mode & 0o200) >> 3) | (stats.isDirectory() ? (mode & 0o100) >> 3 : 0);
    // The mount point itself may belong to someone else (an emptyDir is 0777 anyway).
    if (shared !== mode) await chmod(path, shared).catch(() => undefined);
  }
  return files;
}
