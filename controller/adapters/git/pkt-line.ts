/**
 * Git's pkt-line framing (gitprotocol-common(5)): a 4-hex-digit length including
 * itself, then the payload; `0000` flush, `0001` delimiter, `0002` response end.
 */

/** Special packets. */
export type PktSpecial = 'flush' | 'delim' | 'response-end';

/** Frames one payload as a pkt-line. */
export function pktLine(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0'), 'ascii'), data]);
}

/** The flush packet. */
export const FLUSH_PKT = Buffer.from('0000', 'ascii');
/** The delimiter packet (protocol v2). */
export const DELIM_PKT = Buffer.from('0001', 'ascii');

/** Raised on bytes that are not pkt-lines; callers map it to a protocol error. */
export class PktLineError extends Error {}

const HEX4 = /^[0-9a-f]{4}$/i;

/**
 * Splits a byte stream into pkt-line payloads (Buffers that share memory with the
 * input where possible) and special packets. Throws {@link PktLineError} on a
 * malformed length or a stream that ends inside a packet. Memory is bounded by one
 * packet: the length is four hex digits, so no packet exceeds 65,535 bytes, and the
 * length is checked strictly (`parseInt` alone reads "-001" or "1zzz" as a number).
 */
export async function* readPktLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer | PktSpecial> {
  let buffer: Buffer = Buffer.alloc(0);
  let pos = 0;
  for await (const chunk of body) {
    buffer = pos < buffer.length ? Buffer.concat([buffer.subarray(pos), chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    pos = 0;
    while (buffer.length - pos >= 4) {
      const hex = buffer.toString('latin1', pos, pos + 4);
      const length = HEX4.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
      if (Number.isNaN(length) || (length > 2 && length < 4)) throw new PktLineError('malformed pkt-line length');
      if (length === 0) { pos += 4; yield 'flush'; continue; }
      if (length === 1) { pos += 4; yield 'delim'; continue; }
      if (length === 2) { pos += 4; yield 'response-end'; continue; }
      if (buffer.length - pos < length) break;
      const payload = buffer.subarray(pos + 4, pos + length);
      pos += length;
      yield payload;
    }
  }
  if (buffer.length - pos > 0) throw new PktLineError('truncated pkt-line stream');
}
