/**
 * Streams a commit's tree (or a folder of it) as a tar.gz straight from the pack,
 * without checking files out, holding what `git archive` holds: folders, regular
 * files (0644, or 0755 for git's 100755), symlinks with their targets, submodules as
 * empty folders, all stamped with the commit time. `.slipwayignore` / `.epinioignore`
 * at the archive root exclude paths (core/ignore-rules.ts).
 */
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { createIgnoreFilter, SOURCE_IGNORE_FILES, type IgnoreFilter } from '../../../core/ignore-rules.ts';
import type { PackIndex } from './pack-index.ts';

/** One entry of a tree object. */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

/** Parses a tree object's binary entries. */
export function parseTree(data: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    if (space === -1 || nul === -1 || nul + 21 > data.length) throw new Error('corrupt tree object');
    entries.push({
      mode: data.toString('latin1', pos, space),
      name: data.toString('utf8', space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 21),
    });
    pos = nul + 21;
  }
  return entries;
}

/** The tree ID and committer time (seconds) of a commit object. */
export function parseCommit(data: Buffer): { tree: string; time: number; parents: string[] } {
  const text = data.toString('utf8', 0, Math.min(data.length, 64 * 1024));
  const headerEnd = text.indexOf('\n\n');
  const lines = text.slice(0, headerEnd === -1 ? undefined : headerEnd).split('\n');
  const tree = lines.find((l) => l.startsWith('tree '))?.slice(5) ?? '';
  const committer = lines.find((l) => l.startsWith('committer ')) ?? '';
  const time = Number.parseInt(committer.match(/ (\d+) [+-]\d{4}$/)?.[1] ?? '0', 10);
  return { tree, time, parents: lines.filter((l) => l.startsWith('parent ')).map((l) => l.slice(7)) };
}

/** Finds the tree at `subdir` (slash-separated, '' for the root); undefined when missing or not a folder. */
export function findSubtree(pack: PackIndex, rootTree: string, subdir: string): string | undefined {
  let oid = rootTree;
  for (const part of subdir.split('/').filter(Boolean)) {
    const tree = pack.read(oid);
    if (!tree || tree.type !== 'tree') return undefined;
    const entry = parseTree(tree.data).find((e) => e.name === part);
    if (!entry || entry.mode !== '40000') return undefined;
    oid = entry.oid;
  }
  return pack.read(oid)?.type === 'tree' ? oid : undefined;
}

/** Options for {@link archiveTree}. */
export interface ArchiveTreeOptions {
  pack: PackIndex;
  /** The tree that becomes the archive root. */
  tree: string;
  /** Modification time of every entry (the commit time, as git archive does). */
  mtime: Date;
  /** gzip level (default 6, as `gzip` and `tar czf`). */
  gzipLevel?: number;
}

/**
 * Returns a Readable of the tar.gz. The walk runs as the consumer reads (tar-stream's
 * backpressure), so memory holds one object at a time; an error ends the stream with it.
 */
export function archiveTree(options: ArchiveTreeOptions): Readable {
  const pack = tarStream.pack();
  const output = new PassThrough();
  const gzip = createGzip({ level: options.gzipLevel ?? 6, chunkSize: CHUNK });
  const filter = ignoreFilterFor(options.pack, options.tree);
  const write = (header: Partial<tarStream.Header> & { name: string }, data?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (data) pack.entry(header as tarStream.Header, data, done);
      else pack.entry(header as tarStream.Header, done);
    });

  const walk = async (treeOid: string, prefix: string): Promise<void> => {
    const tree = options.pack.read(treeOid);
    if (!tree || tree.type !== 'tree') throw new Error(`tree ${treeOid} missing from the pack`);
    for (const entry of parseTree(tree.data)) {
      const path = `${prefix}${entry.name}`;
      const isDirectory = entry.mode === '40000' || entry.mode === '160000';
      if (filter(path, isDirectory)) continue;
      const base = { name: path, mtime: options.mtime, uid: 0, gid: 0 };
      if (entry.mode === '40000') {
        await write({ ...base, name: `${path}/`, type: 'directory', mode: 0o755 });
        await walk(entry.oid, `${path}/`);
      } else if (entry.mode === '160000') {
        await write({ ...base, name: `${path}/`, type: 'directory', mode: 0o755 });
      } else {
        const blob = options.pack.read(entry.oid);
        if (!blob || blob.type !== 'blob') throw new Error(`blob ${entry.oid} missing from the pack`);
        if (entry.mode === '120000') await write({ ...base, type: 'symlink', mode: 0o777, linkname: blob.data.toString('utf8') });
        else await write({ ...base, type: 'file', mode: entry.mode === '100755' ? 0o755 : 0o644, size: blob.data.length }, blob.data);
      }
    }
  };

  walk(options.tree, '').then(() => pack.finalize(), (error: Error) => pack.destroy(error));
  pipeline(pack, coalesce(), gzip, output).catch((error: Error) => output.destroy(error));
  output.on('close', () => { if (!pack.destroyed) pack.destroy(); });
  return output;
}

const CHUNK = 64 * 1024;

/**
 * Joins tar-stream's small writes (a 512-byte header per entry) into 64 KiB chunks:
 * each write to an async gzip is a thread-pool round trip, and 512-byte writes made
 * gzip ~3.5× slower in bench/import.ts.
 */
function coalesce(): Transform {
  let pending: Buffer[] = [];
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= CHUNK) {
        const joined = Buffer.concat(pending, size);
        pending = [];
        size = 0;
        callback(null, joined);
      } else callback();
    },
    flush(callback) {
      callback(null, size > 0 ? Buffer.concat(pending, size) : undefined);
    },
  });
}

function ignoreFilterFor(pack: PackIndex, treeOid: string): IgnoreFilter {
  const tree = pack.read(treeOid);
  const entries = tree ? parseTree(tree.data) : [];
  const contents = entries
    .filter((e) => (SOURCE_IGNORE_FILES as readonly string[]).includes(e.name) && e.mode.startsWith('100'))
    .map((e) => pack.read(e.oid)?.data.toString('utf8') ?? '');
  return createIgnoreFilter(contents);
}
