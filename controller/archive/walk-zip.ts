/**
 * Reads a zip file (it cannot be checked in one pass: its directory is at the end)
 * with yauzl and applies the archive rules and caps: entry count and the declared
 * sizes from the central directory first, then the bytes actually inflated, so a
 * zip whose headers lie is refused too.
 */
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { tooLarge, unsafeArchive } from '../../core/error-cases.ts';
import { isSlipwayError } from '../../core/errors.ts';
import type { ArchiveLimits } from './archive-limits.ts';
import { corruptArchive, tooManyEntries } from './archive-errors.ts';
import type { CheckedEntry, EntryKind } from './check-entry.ts';
import { createArchiveTree } from './create-archive-tree.ts';

/** Longest symlink target we read from a zip entry's body. */
const MAX_LINK_BYTES = 4096;

/** Receives each accepted entry; `open` gives its inflated bytes (counted against the cap). */
export type ZipEntryHandler = (entry: CheckedEntry, mode: number, open: () => Promise<Readable>) => Promise<void>;

/**
 * Walks every entry of the zip at `file`. Without `onEntry`, each file is inflated and
 * discarded (validation). Throws the first broken rule; always closes the file.
 */
export async function walkZip(file: string, limits: ArchiveLimits, onEntry?: ZipEntryHandler): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw corruptArchive(`zip: ${(error as Error).message}`);
  }
  try {
    if (zip.entryCount > limits.archiveEntries) throw tooManyEntries(limits.archiveEntries);
    const tree = createArchiveTree();
    let declared = 0;
    const inflated = { bytes: 0 };
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
      if (entry.isEncrypted()) throw unsafeArchive(name, 'encrypted entries are not supported');
      declared += entry.uncompressedSize;
      if (declared > limits.unpackedBytes) throw tooLarge('the unpacked archive', limits.unpackedBytes, 'SLIPWAY_MAX_UNPACKED_BYTES');
      const { kind, mode } = zipKind(entry, name);
      const open = () => openCounted(zip, entry, inflated, limits);
      const linkTarget = kind === 'symlink' ? await readLinkTarget(await open(), name) : undefined;
      const checked = tree.add({ path: name, kind, linkTarget, typeName: `mode ${mode.toString(8)}` });
      if (onEntry) await onEntry(checked, mode, open);
      else if (kind === 'file') await pipeline(await open(), new Writable({ write: (_c, _e, cb) => cb() }));
    }
    tree.finish();
  } catch (error) {
    if (isSlipwayError(error)) throw error;
    throw corruptArchive(`zip: ${(error as Error).message}`);
  } finally {
    zip.close();
  }
}

/** The entry's kind and permission bits: Unix mode when a Unix zipper wrote it, else by name. */
function zipKind(entry: Entry, name: string): { kind: EntryKind; mode: number } {
  const unix = entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
  const type = unix & 0o170000;
  const isDir = name.endsWith('/');
  const mode = unix & 0o7777 || (isDir ? 0o755 : 0o644);
  if (type === 0) return { kind: isDir ? 'directory' : 'file', mode };
  if (type === 0o040000) return { kind: 'directory', mode };
  if (type === 0o100000) return { kind: isDir ? 'directory' : 'file', mode };
  if (type === 0o120000) return { kind: 'symlink', mode };
  return { kind: 'special', mode };
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => { cleanup(); resolve(entry); };
    const onEnd = () => { cleanup(); resolve(undefined); };
    const onError = (error: Error) => { cleanup(); reject(error); };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

/** The entry's inflated bytes, counted against the unpacked cap as they flow. */
async function openCounted(zip: ZipFile, entry: Entry, inflated: { bytes: number }, limits: ArchiveLimits): Promise<Readable> {
  const raw = await zip.openReadStreamPromise(entry);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      inflated.bytes += chunk.length;
      if (inflated.bytes > limits.unpackedBytes) {
        callback(tooLarge('the unpacked archive', limits.unpackedBytes, 'SLIPWAY_MAX_UNPACKED_BYTES'));
      } else callback(null, chunk);
    },
  });
  raw.on('error', (error) => counter.destroy(corruptArchive(`zip: ${error.message}`)));
  return raw.pipe(counter);
}

async function readLinkTarget(body: Readable, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > MAX_LINK_BYTES) {
      body.destroy();
      throw unsafeArchive(name, 'the symlink target is too long');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
