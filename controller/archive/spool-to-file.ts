/**
 * Writes a stream to a new temp file, refusing it past a byte cap. Zips are spooled
 * because they can only be read from the end; the caller always disposes the file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tooLarge } from '../../core/error-cases.ts';

/** A spooled file; `dispose` removes it (and its private folder) and never throws. */
export interface SpooledFile {
  file: string;
  size: number;
  dispose(): Promise<void>;
}

/** Spools `body` into a private folder under `tmpDir`; over `maxBytes` → `too_large` and nothing left behind. */
export async function spoolToFile(body: Readable, options: { tmpDir: string; maxBytes: number; signal?: AbortSignal }): Promise<SpooledFile> {
  const dir = await mkdtemp(join(options.tmpDir, 'slipway-spool-'));
  const dispose = () => rm(dir, { recursive: true, force: true }).catch(() => {});
  const file = join(dir, 'archive');
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > options.maxBytes) callback(tooLarge('the upload', options.maxBytes, 'SLIPWAY_MAX_UPLOAD_BYTES'));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(body, cap, createWriteStream(file, { flags: 'wx', mode: 0o600 }), { signal: options.signal });
  } catch (error) {
    await dispose();
    throw error;
  }
  return { file, size, dispose };
}
