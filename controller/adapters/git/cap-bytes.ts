/**
 * Holds one stage of a git exchange (a ref advertisement, an ls-refs answer) to its
 * own byte cap, on top of the whole operation's SLIPWAY_GIT_MAX_BYTES: a remote that
 * never ends its ref listing must fail after megabytes, not after a gigabyte.
 */

/** Passes `body` through and throws `tooLarge()` once more than `limit` bytes went by. */
export async function* capBytes(body: AsyncIterable<Uint8Array>, limit: number, tooLarge: () => Error): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.byteLength;
    if (seen > limit) throw tooLarge();
    yield chunk;
  }
}
