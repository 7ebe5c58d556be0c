/**
 * Applies a git pack delta (gitformat-pack(5), "Deltified representation") to its
 * base object.
 */

/**
 * The base and result sizes a delta starts with, and where its instructions begin;
 * undefined when `delta` (possibly only its first inflated bytes) ends first.
 */
export function deltaSizes(delta: Buffer): { base: number; result: number; start: number } | undefined {
  let pos = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      if (pos >= delta.length) return undefined;
      byte = delta[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const base = varint();
  const result = base === undefined ? undefined : varint();
  return result === undefined ? undefined : { base: base!, result, start: pos };
}

/**
 * Returns the object that `delta` describes relative to `base`. Throws on a corrupt
 * delta, and `tooBig()` when the declared result exceeds `maxSize` (checked before
 * the result is allocated).
 */
export function applyDelta(base: Buffer, delta: Buffer, maxSize = Number.MAX_SAFE_INTEGER, tooBig = () => new Error('delta result too large')): Buffer {
  const sizes = deltaSizes(delta);
  if (!sizes) throw new Error('corrupt delta header');
  if (sizes.base !== base.length) throw new Error('delta base size mismatch');
  if (sizes.result > maxSize) throw tooBig();
  const result = Buffer.allocUnsafe(sizes.result);
  let pos = sizes.start;
  let out = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += delta[pos++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (16 << bit)) size += delta[pos++]! * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || out + size > result.length) throw new Error('delta copy out of range');
      base.copy(result, out, offset, offset + size);
      out += size;
    } else if (op > 0) {
      if (pos + op > delta.length || out + op > result.length) throw new Error('delta insert out of range');
      delta.copy(result, out, pos, pos + op);
      pos += op;
      out += op;
    } else {
      throw new Error('delta opcode 0 is reserved');
    }
  }
  if (out !== result.length) throw new Error('delta result size mismatch');
  return result;
}
