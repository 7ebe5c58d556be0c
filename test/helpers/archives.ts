/**
 * Builders for good and malicious tar, tar.gz and zip archives. Small ones are built
 * in memory; the bombs and the benchmark's archive are generated as streams and never
 * held in memory.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { createGzip, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';

/** One entry of a test archive. */
export interface EntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
}

/** A tar of `entries`, as written (names are not cleaned: that is the point). */
export async function tarOf(entries: EntrySpec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => { chunks.push(chunk as Buffer); });
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    const type = e.type ?? 'file';
    const content = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    const mode = e.mode ?? (type === 'directory' ? 0o755 : 0o644);
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: e.name, type, mode, linkname: e.linkname, size: content?.length ?? 0 }, content ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
    });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** A tar.gz of `entries`. */
export async function tgzOf(entries: EntrySpec[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries));
}

/**
 * A zip of `entries` with Unix modes (made by Unix), deflated. `declaredSize` lets a
 * test lie about an entry's uncompressed size; `repeat` writes the same compressed
 * data under many names (a classic zip bomb: small file, huge declared total).
 */
export function zipOf(entries: (EntrySpec & { declaredSize?: number })[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'symlink' ? Buffer.from(e.linkname ?? '') : Buffer.from(e.content ?? '');
    const compressed = deflateRawSync(data);
    const kindBits = type === 'directory' ? 0o040000 : type === 'symlink' ? 0o120000 : type === 'fifo' ? 0o010000 : 0o100000;
    const mode = kindBits | (e.mode ?? (type === 'directory' ? 0o755 : 0o644));
    locals.push(zipHeaders(e.name, data, compressed, mode, offset, e.declaredSize).local);
    centrals.push(zipHeaders(e.name, data, compressed, mode, offset, e.declaredSize).central);
    offset += locals.at(-1)!.length;
  }
  return Buffer.concat([...locals, ...centrals, endOfCentralDirectory(entries.length, centrals, offset)]);
}

function zipHeaders(name: string, data: Buffer, compressed: Buffer, mode: number, offset: number, declaredSize?: number) {
  const nameBytes = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(declaredSize ?? data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 30, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(declaredSize ?? data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE((mode << 16) >>> 0, 38);
  central.writeUInt32LE(offset, 42);
  return { local: Buffer.concat([local, nameBytes, compressed]), central: Buffer.concat([central, nameBytes]) };
}

function endOfCentralDirectory(count: number, centrals: Buffer[], offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(centrals.reduce((sum, c) => sum + c.length, 0), 12);
  end.writeUInt32LE(offset, 16);
  return end;
}

/**
 * A zip bomb: `copies` entries that each inflate to `entryBytes` zeros, sharing one
 * compressed body's worth of bytes each (~1000:1).
 */
export function zipBomb(copies: number, entryBytes: number): Buffer {
  const zeros = Buffer.alloc(entryBytes);
  return zipOf(Array.from({ length: copies }, (_, i) => ({ name: `zeros-${i}.bin`, content: zeros })));
}

/** A source tree with what real apps have: exec bits, nested and empty folders, inner symlinks. */
export const goodTree: EntrySpec[] = [
  { name: 'package.json', content: '{"name":"demo","scripts":{"start":"node src/index.js"}}\n' },
  { name: 'bin/', type: 'directory' },
  { name: 'bin/run.sh', content: '#!/bin/sh\necho hello\n', mode: 0o755 },
  { name: 'src/', type: 'directory' },
  { name: 'src/index.js', content: 'console.log("hi")\n' },
  { name: 'src/lib/deep/er/util.js', content: 'export const x = 1;\n' },
  { name: 'empty/', type: 'directory' },
  { name: 'bin/start', type: 'symlink', linkname: 'run.sh' },
  { name: 'lib', type: 'symlink', linkname: 'src/lib' },
  { name: 'src/lib/deep/up', type: 'symlink', linkname: '../../index.js' },
];

/** Streams a tar of one entry of `bytes` bytes from `chunk` (repeated), never in memory. */
function streamTar(name: string, bytes: number, chunkOf: (size: number) => Buffer): Readable {
  const pack = tarStream.pack();
  const entry = pack.entry({ name, size: bytes, mode: 0o644 }) as unknown as Writable;
  (async () => {
    let left = bytes;
    while (left > 0) {
      const size = Math.min(left, 1 << 20);
      left -= size;
      if (!entry.write(chunkOf(size))) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
    }
    entry.end();
    pack.finalize();
  })().catch((error: Error) => pack.destroy(error));
  return pack as unknown as Readable;
}

/** A gzip bomb: a tar.gz of one file of `bytes` zeros (1 GB compresses to ~1 MB), generated as it is read. */
export function gzipBombStream(bytes: number): Readable {
  const zeros = Buffer.alloc(1 << 20);
  const out = new PassThrough();
  const gzip = createGzip({ level: 9 });
  const tar = streamTar('zeros.bin', bytes, (size) => zeros.subarray(0, size));
  tar.pipe(gzip).pipe(out);
  out.on('close', () => { tar.destroy(); gzip.destroy(); });
  return out;
}

/** A tar.gz of one file of `bytes` random (incompressible) bytes, generated as it is read. */
export function incompressibleTarGzStream(bytes: number): Readable {
  const gzip = createGzip({ level: 1 });
  const tar = streamTar('random.bin', bytes, (size) => randomBytes(size));
  tar.pipe(gzip);
  gzip.on('close', () => tar.destroy());
  return gzip;
}

/** Limits for tests: generous for good archives, small enough that bombs stop fast. */
export const testLimits = { uploadBytes: 50 * 2 ** 20, unpackedBytes: 100 * 2 ** 20, archiveEntries: 1000 };

/** A refused upload: how to build it, the limits to apply and the error code expected. */
export interface BadUpload {
  title: string;
  body: () => Promise<Readable>;
  code: string;
  limits?: Partial<typeof testLimits>;
}

const once = (bytes: Buffer | Promise<Buffer>) => async () => Readable.from([await bytes]);
const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f${i}.txt`, content: `${i}` }));
const randomTree = () => tgzOf([{ name: 'random.bin', content: randomBytes(256 * 1024) }, ...goodTree]);

/** Every malicious or broken upload the store step must refuse, leaving nothing stored. */
export const badUploads: BadUpload[] = [
  { title: 'a tar.gz with a ../ entry', body: once(tgzOf([{ name: 'ok.txt' }, { name: '../evil.txt', content: 'x' }])), code: 'unsafe_archive' },
  { title: 'a tar with an absolute path', body: once(tarOf([{ name: '/etc/evil', content: 'x' }])), code: 'unsafe_archive' },
  { title: 'a tar.gz with a symlink escaping (link -> ../../etc)', body: once(tgzOf([{ name: 'link', type: 'symlink', linkname: '../../etc' }])), code: 'unsafe_archive' },
  { title: 'a tar.gz writing a file through its own symlink', body: once(tgzOf([{ name: 'sub/', type: 'directory' }, { name: 'link', type: 'symlink', linkname: 'sub' }, { name: 'link/evil', content: 'x' }])), code: 'unsafe_archive' },
  { title: 'a tar.gz with a hard link outside', body: once(tgzOf([{ name: 'hard', type: 'link', linkname: '../../etc/shadow' }])), code: 'unsafe_archive' },
  { title: 'a tar with a FIFO', body: once(tarOf([{ name: 'pipe', type: 'fifo' }])), code: 'unsafe_archive' },
  { title: 'a tar with a character device', body: once(tarOf([{ name: 'tty', type: 'character-device' }])), code: 'unsafe_archive' },
  { title: 'a gzip bomb (1 GB of zeros)', body: async () => gzipBombStream(2 ** 30), code: 'too_large' },
  { title: 'a zip bomb (20 × 8 MiB of zeros)', body: once(zipBomb(20, 8 * 2 ** 20)), code: 'too_large' },
  { title: 'a zip whose header lies about a size', body: once(zipOf([{ name: 'big.bin', content: Buffer.alloc(2 ** 20), declaredSize: 10 }])), code: 'corrupt_archive' },
  { title: 'a zip with a ../ entry', body: once(zipOf([{ name: '../evil.txt', content: 'x' }])), code: 'unsafe_archive' },
  { title: 'a zip with backslash traversal', body: once(zipOf([{ name: '..\\..\\evil.txt', content: 'x' }])), code: 'unsafe_archive' },
  { title: 'a zip with an absolute path', body: once(zipOf([{ name: '/tmp/evil.txt', content: 'x' }])), code: 'unsafe_archive' },
  { title: 'a zip with a symlink escaping', body: once(zipOf([{ name: 'link', type: 'symlink', linkname: '../../etc' }])), code: 'unsafe_archive' },
  { title: 'a zip with a FIFO', body: once(zipOf([{ name: 'pipe', type: 'fifo' }])), code: 'unsafe_archive' },
  { title: 'an oversize tar.gz upload', body: once(randomTree()), code: 'too_large', limits: { uploadBytes: 64 * 1024 } },
  { title: 'an oversize zip upload', body: once(zipOf([{ name: 'r.bin', content: randomBytes(256 * 1024) }])), code: 'too_large', limits: { uploadBytes: 64 * 1024 } },
  { title: 'a tar.gz with too many entries', body: once(tgzOf(many(30))), code: 'too_large', limits: { archiveEntries: 10 } },
  { title: 'a zip with too many entries', body: once(zipOf(many(30))), code: 'too_large', limits: { archiveEntries: 10 } },
  { title: 'a truncated tar.gz', body: once(randomTree().then((b) => b.subarray(0, Math.floor(b.length / 2)))), code: 'corrupt_archive' },
  { title: 'a tar cut inside an entry', body: once(tarOf(goodTree).then((b) => b.subarray(0, 1000))), code: 'corrupt_archive' },
  { title: 'a tar cut before its end marker', body: once(tarOf(goodTree).then((b) => b.subarray(0, 1536))), code: 'corrupt_archive' },
  { title: 'a truncated zip', body: once(Buffer.from(zipOf(goodTree).subarray(0, 200))), code: 'corrupt_archive' },
  { title: 'a text file', body: once(Buffer.from('this is not an archive\n'.repeat(40))), code: 'unsupported_archive' },
];
