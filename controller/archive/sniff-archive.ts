/**
 * Decides an upload's format from its first bytes, never from a name or a Content-Type
 * header a client chose: gzip magic (tar.gz), a zip local header or the empty zip's end
 * record, or the `ustar` magic of a tar header.
 */
import { Readable } from 'node:stream';
import type { ArchiveFormat } from '../../core/types.ts';
import { unsupportedArchive } from '../../core/error-cases.ts';

/** Bytes needed to see the `ustar` magic (offset 257, five bytes). */
const HEAD_BYTES = 262;

/** The format of the first bytes, or undefined when they are none of ours. */
export function detectFormat(head: Uint8Array): ArchiveFormat | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b &&
      ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06))) return 'zip';
  if (head.length >= HEAD_BYTES && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/**
 * Reads just enough of `body` to tell its format and returns a stream that still yields
 * every byte (the sniffed ones first). Destroying the returned stream destroys `body`.
 * Throws `unsupported_archive` for anything that is not tar, tar.gz or zip.
 */
export async function sniffArchive(body: Readable): Promise<{ format: ArchiveFormat; body: Readable }> {
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < HEAD_BYTES) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const format = detectFormat(head);
  if (format === undefined) {
    await source.return?.();
    throw unsupportedArchive(length === 0 ? 'the upload is empty' : 'its first bytes are not a gzip, zip or tar header');
  }
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield head;
      if (ended) return;
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      }
    } finally {
      await source.return?.();
    }
  }
  return { format, body: Readable.from(replay(), { objectMode: false }) };
}
