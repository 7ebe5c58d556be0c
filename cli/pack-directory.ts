/**
 * Packs a directory into a tar.gz stream for `POST …/applications/:app/store`. The
 * archive is produced while it is read, entry by entry with backpressure, so memory
 * stays flat however large the tree is. Entries come from
 * {@link listSourceEntries}: ignore files honoured, `.git/` excluded, symlinks as links.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack as createPack, type Header } from 'tar-stream';
import { CliError } from './cli-error.ts';
import { emptySourceError } from './empty-source.ts';
import { listSourceEntries, type SourceEntry, type SourceListing } from './list-source-entries.ts';

/** Options for {@link packDirectory}. */
export interface PackOptions {
  /** Called with the number of content bytes packed so far. */
  onProgress?(bytesDone: number): void;
  /** The directory's listing from {@link listSource}, when the caller already read it. */
  listing?: SourceListing;
}

/** A directory being packed. */
export interface PackedDirectory {
  /** The tar.gz, produced as it is read. Fails with a {@link CliError} if a file cannot be read. */
  stream: Readable;
  /** Number of archive entries (files, folders, links). */
  entries: number;
  /** Total content bytes of the files. */
  bytes: number;
  /** Paths left out because they are sockets, FIFOs or devices. */
  skipped: string[];
}

type Pack = ReturnType<typeof createPack>;
type Headers = Partial<Header> & Pick<Header, 'name'>;
type EntrySink = ReturnType<Pack['entry']>;

/** Adds an entry without content (folder, symlink); resolves once it is written. */
function addEntry(pack: Pack, header: Headers): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, (error) => (error ? reject(error) : resolve()));
  });
}

async function writeFile(pack: Pack, root: string, entry: SourceEntry, header: Headers, onChunk: (n: number) => void): Promise<void> {
  let sink!: EntrySink;
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
    // The sink also emits the error; without a listener streamx would throw it.
    sink.on('error', reject);
  });
  if (entry.size > 0) {
    // Read exactly the size announced in the header, even if the file grows meanwhile.
    for await (const chunk of createReadStream(join(root, entry.path), { start: 0, end: entry.size - 1 })) {
      onChunk((chunk as Buffer).length);
      if (!sink.write(chunk)) await once(sink, 'drain');
    }
  }
  // streamx declares end(data) with a required argument; undefined means "no more data".
  sink.end(undefined);
  await finished;
}

async function writeArchive(pack: Pack, root: string, list: SourceEntry[], onProgress: PackOptions['onProgress']): Promise<void> {
  let done = 0;
  for (const entry of list) {
    const header: Headers = {
      name: entry.type === 'directory' ? `${entry.path}/` : entry.path,
      type: entry.type,
      mode: entry.mode,
      mtime: entry.mtime,
      size: entry.type === 'file' ? entry.size : 0,
      // Portable archive: no local user or group names leak into it.
      uid: 0, gid: 0, uname: '', gname: '',
    };
    if (entry.type === 'symlink') header.linkname = entry.linkname;
    try {
      if (entry.type === 'file') {
        await writeFile(pack, root, entry, header, (n) => { done += n; onProgress?.(done); });
      } else {
        await addEntry(pack, header);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'EACCES' ? 'permission denied'
        : code === 'ENOENT' ? 'it disappeared while packing'
        // tar-stream refuses an entry shorter than its header's size: the file shrank.
        : /size mismatch/i.test(String((error as Error).message)) ? 'it changed while packing'
        : code ?? (error as Error).message;
      throw new CliError(`cannot pack ${entry.path}: ${reason}`, {
        code: 'pack_failed', hint: 'fix the file or add it to .slipwayignore, then push again', cause: error,
      });
    }
  }
  pack.finalize();
}

/**
 * Lists what a push of `dir` would send. Throws a {@link CliError}: `pack_failed` when
 * the folder cannot be read, `empty_source` (exit 2) when it holds no file to push.
 */
export async function listSource(dir: string): Promise<SourceListing> {
  let listing;
  try {
    listing = await listSourceEntries(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read the directory ${dir}: ${code ?? (error as Error).message}`, {
      code: 'pack_failed', exitCode: code === 'ENOENT' || code === 'ENOTDIR' ? 2 : 1, hint: 'check the path given with --path or in the manifest', cause: error,
    });
  }
  const empty = emptySourceError(dir, listing);
  if (empty) throw empty;
  return listing;
}

/** Lists `dir` (see {@link listSource}) and returns a tar.gz stream of it that is written as it is consumed. */
export async function packDirectory(dir: string, options: PackOptions = {}): Promise<PackedDirectory> {
  const listing = options.listing ?? await listSource(dir);
  const pack = createPack();
  const gzip = createGzip();
  const out = new PassThrough();
  const fail = (error: unknown) => { out.destroy(error as Error); };
  // A pack error always reaches writeArchive too (through the entry's callback), which
  // reports it with the path; listening here only keeps streamx from throwing it.
  pack.on('error', () => {});
  gzip.on('error', fail);
  pack.pipe(gzip).pipe(out);
  writeArchive(pack, dir, listing.entries, options.onProgress).catch((error) => {
    fail(error);
    pack.destroy();
  });
  const bytes = listing.entries.reduce((sum, e) => sum + e.size, 0);
  return { stream: out, entries: listing.entries.length, bytes, skipped: listing.skipped };
}
