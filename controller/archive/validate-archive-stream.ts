/**
 * The upload's validating pass-through for tar and tar.gz: bytes flow on unchanged to
 * the blob store while a parser reads them and applies the archive rules and caps.
 * The stream holds back its end until validation has finished and errors instead of
 * ending when it failed, so a blob store (which commits only when its body ends
 * cleanly) never keeps a refused archive.
 */
import { Transform } from 'node:stream';
import type { ArchiveLimits } from './archive-limits.ts';
import { createTarWalker } from './create-tar-walker.ts';

/** A Transform that passes a tar or tar.gz through and fails on the first broken rule. */
export function validateArchiveStream(format: 'tar' | 'tar.gz', limits: ArchiveLimits): Transform {
  const walker = createTarWalker({ gzip: format === 'tar.gz', limits });
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      walker.write(chunk).then(() => callback(null, chunk), (error: Error) => callback(error));
    },
    flush(callback) {
      walker.end().then(() => callback(), (error: Error) => callback(error));
    },
  });
  return stream;
}
