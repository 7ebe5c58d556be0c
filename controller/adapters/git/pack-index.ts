/**
 * Reads a packfile from disk without holding it in memory: one pass computes every
 * object's ID (what `git index-pack` does), with inflate and SHA-1 in node's native
 * zlib and crypto; objects are then read back by ID with positioned reads. Memory is
 * the offset map plus a bounded cache of delta bases.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { tooLarge } from '../../../core/error-cases.ts';
import { applyDelta, deltaSizes } from './apply-delta.ts';

/** The four object types. */
export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** An object's type and content. */
export interface GitObject {
  type: GitObjectType;
  data: Buffer;
}

/** An indexed pack. */
export interface PackIndex {
  /** Number of objects. */
  size: number;
  has(oid: string): boolean;
  /** The object, or undefined when the pack does not hold it. */
  read(oid: string): GitObject | undefined;
  /**
   * The object's size without inflating it (for a delta, read from the first bytes of
   * its instructions), or undefined when the pack does not hold it.
   */
  sizeOf(oid: string): number | undefined;
  /** IDs of all objects of a type. */
  oidsOfType(type: GitObjectType): string[];
  close(): void;
}

const TYPES: Record<number, GitObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
/** Delta bases kept resolved; bounds memory while long delta chains stay cheap. */
const CACHE_BYTES = 24 * 1024 * 1024;

interface Header {
  kind: number;
  size: number;
  dataStart: number;
  baseOffset?: number;
  baseOid?: string;
}

/** Options for {@link indexPack}. */
export interface IndexPackOptions {
  signal?: AbortSignal;
  /**
   * Largest object (or delta result) that may be inflated, checked against the size
   * the pack declares before any memory is allocated: a few KB of zlib can declare
   * gigabytes. Default {@link MAX_OBJECT_BYTES}.
   */
  maxObjectBytes?: number;
  /** The setting named in the `too_large` error (default SLIPWAY_MAX_UNPACKED_BYTES). */
  setting?: string;
}

/** Packs up to this size are held in memory while indexed and archived (a few run at once: SLIPWAY_GIT_CONCURRENCY). */
const WHOLE_PACK_BYTES = 1024 * 1024;

function readWhole(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buffer, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buffer.subarray(0, got);
}

/** Hard cap on one object, whatever the settings: objects are inflated into one Buffer. */
export const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;

/** Indexes the pack at `path`. Yields to the event loop now and then, and stops when `signal` fires. */
export async function indexPack(path: string, options: IndexPackOptions = {}): Promise<PackIndex> {
  const { signal } = options;
  const maxObjectBytes = Math.min(options.maxObjectBytes ?? MAX_OBJECT_BYTES, MAX_OBJECT_BYTES);
  const tooBig = () => tooLarge('an object of the repository', maxObjectBytes, options.setting ?? 'SLIPWAY_MAX_UNPACKED_BYTES');
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const end = fileSize - 20;
    // A small pack (a depth-1 fetch of a typical app) is read once: indexing and
    // archiving it make a read per object header and body otherwise, hundreds of
    // system calls for a few KB (issue 12: a burst of 1,000 imports).
    const whole = fileSize <= WHOLE_PACK_BYTES ? readWhole(fd, fileSize).subarray(0, Math.max(0, end)) : undefined;
    const readAt = whole
      ? (position: number, length: number) => whole.subarray(position, Math.min(position + length, whole.length))
      : (position: number, length: number) => {
        const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, end - position)));
        const got = readSync(fd, buffer, 0, buffer.length, position);
        return buffer.subarray(0, got);
      };
    const head = readAt(0, 12);
    if (head.length < 12 || head.toString('latin1', 0, 4) !== 'PACK' || ![2, 3].includes(head.readUInt32BE(4))) throw new Error('not a version 2 packfile');
    const count = head.readUInt32BE(8);

    const offsets = new Map<string, number>();
    const types = new Map<number, GitObjectType>();
    const cache = new Map<number, GitObject>();
    let cached = 0;
    const remember = (offset: number, object: GitObject) => {
      if (object.data.length > CACHE_BYTES / 4) return;
      cache.set(offset, object);
      cached += object.data.length;
      for (const [key, value] of cache) {
        if (cached <= CACHE_BYTES) break;
        cache.delete(key);
        cached -= value.data.length;
      }
    };

    const parseHeader = (offset: number): Header => {
      const b = readAt(offset, 32);
      let c = b[0]!;
      const kind = (c >> 4) & 7;
      let size = c & 15;
      let shift = 4;
      let i = 1;
      while (c & 0x80) { c = b[i++]!; size += (c & 0x7f) * 2 ** shift; shift += 7; }
      const header: Header = { kind, size, dataStart: 0 };
      if (kind === 6) {
        c = b[i++]!;
        let back = c & 0x7f;
        while (c & 0x80) { c = b[i++]!; back = (back + 1) * 128 + (c & 0x7f); }
        header.baseOffset = offset - back;
      } else if (kind === 7) {
        header.baseOid = b.toString('hex', i, i + 20);
        i += 20;
      }
      header.dataStart = offset + i;
      return header;
    };

    /** Inflates the data at `start`; returns it and where the compressed bytes end. */
    const inflateAt = (start: number, size: number): { data: Buffer; next: number } => {
      if (size > maxObjectBytes) throw tooBig();
      for (let guess = size + (size >>> 8) + 64; ; guess *= 2) {
        const input = readAt(start, guess);
        try {
          const { buffer, engine } = inflateSync(input, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
          if (buffer.length !== size) throw new Error('object size mismatch');
          return { data: buffer, next: start + engine.bytesWritten };
        } catch (error) {
          if (input.length < guess || !/unexpected end/i.test(String(error))) throw error;
        }
      }
    };

    /** Reads the object at `offset`; only delta bases (`isBase`) enter the cache. */
    const objectAt = (offset: number, isBase = false): GitObject => {
      const hit = cache.get(offset);
      if (hit) {
        cache.delete(offset);
        cache.set(offset, hit);
        return hit;
      }
      const header = parseHeader(offset);
      const { data } = inflateAt(header.dataStart, header.size);
      const object = header.kind <= 4 ? { type: TYPES[header.kind]!, data } : resolveDelta(header, data);
      if (isBase) remember(offset, object);
      return object;
    };

    const resolveDelta = (header: Header, delta: Buffer): GitObject => {
      const baseOffset = header.baseOffset ?? offsets.get(header.baseOid!);
      if (baseOffset === undefined) throw new Error('delta base missing from the pack');
      const base = objectAt(baseOffset, true);
      return { type: base.type, data: applyDelta(base.data, delta, maxObjectBytes, tooBig) };
    };

    /** A delta's result size: the second varint of its instructions, inflated from the first bytes only. */
    const deltaResultSize = (start: number): number => {
      for (let length = 256; ; length *= 4) {
        const input = readAt(start, length);
        const head = inflateSync(input, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
        const sizes = deltaSizes(head);
        if (sizes) return sizes.result;
        if (input.length < length) throw new Error('corrupt delta header');
      }
    };

    const hashObject = (object: GitObject) =>
      createHash('sha1').update(`${object.type} ${object.data.length}\0`).update(object.data).digest('hex');

    // Pass 1: walk every object in file order.
    const pendingRefDeltas: number[] = [];
    let position = 12;
    for (let n = 0; n < count; n++) {
      if (n % 256 === 0) {
        await yieldToLoop();
        signal?.throwIfAborted();
      }
      const header = parseHeader(position);
      const { data, next } = inflateAt(header.dataStart, header.size);
      if (header.kind === 7 && !offsets.has(header.baseOid!)) {
        pendingRefDeltas.push(position);
      } else {
        const object = header.kind <= 4 ? { type: TYPES[header.kind]!, data } : resolveDelta(header, data);
        offsets.set(hashObject(object), position);
        types.set(position, object.type);
      }
      position = next;
    }
    // Ref-deltas whose base came later in the pack.
    while (pendingRefDeltas.length > 0) {
      const before = pendingRefDeltas.length;
      for (const offset of pendingRefDeltas.splice(0)) {
        const header = parseHeader(offset);
        if (!offsets.has(header.baseOid!)) { pendingRefDeltas.push(offset); continue; }
        const object = objectAt(offset);
        offsets.set(hashObject(object), offset);
        types.set(offset, object.type);
      }
      if (pendingRefDeltas.length === before) throw new Error('pack has unresolved deltas');
    }

    return {
      size: offsets.size,
      has: (oid) => offsets.has(oid),
      read(oid) {
        const offset = offsets.get(oid);
        return offset === undefined ? undefined : objectAt(offset);
      },
      sizeOf(oid) {
        const offset = offsets.get(oid);
        if (offset === undefined) return undefined;
        const cached = cache.get(offset);
        if (cached) return cached.data.length;
        const header = parseHeader(offset);
        return header.kind <= 4 ? header.size : deltaResultSize(header.dataStart);
      },
      oidsOfType: (type) => [...offsets].filter(([, offset]) => types.get(offset) === type).map(([oid]) => oid),
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

