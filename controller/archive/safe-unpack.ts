/**
 * Unpacks a source archive into a folder under the same rules as upload validation
 * (refuse rather than skip). Used by the local runtime's stage and by the Kubernetes
 * init container's `slipway unpack`: both get the archive from the blob store, so it
 * is checked again here rather than trusted.
 */
import { mkdir, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import type { ArchiveFormat } from '../../core/types.ts';
import type { ArchiveLimits } from './archive-limits.ts';
import { createEntryWriter } from './create-entry-writer.ts';
import { createTarWalker } from './create-tar-walker.ts';
import { spoolToFile } from './spool-to-file.ts';
import { walkZip } from './walk-zip.ts';

/** Input of {@link safeUnpack}. */
export interface SafeUnpackInput {
  body: Readable;
  format: ArchiveFormat;
  /** Created when missing. Should be empty: an entry never replaces a folder or link in it. */
  dest: string;
  limits: ArchiveLimits;
  /** Where a zip is spooled while it is read (default: the OS temp folder). */
  tmpDir?: string;
}

/**
 * Unpacks `body` into `dest`. Files keep their permission bits (the exec bit matters
 * for scripts) without setuid/setgid/sticky; symlinks are created only when they
 * stay inside `dest`; nothing is ever written through a symlink. Throws
 * `unsafe_archive`, `too_large` or `corrupt_archive`; after a failure `dest` may hold
 * part of the archive (never anything outside it) and should be discarded.
 */
export async function safeUnpack(input: SafeUnpackInput): Promise<void> {
  await mkdir(input.dest, { recursive: true });
  const writer = createEntryWriter(await realpath(input.dest));
  if (input.format === 'zip') {
    const spooled = await spoolToFile(input.body, { tmpDir: input.tmpDir ?? tmpdir(), maxBytes: input.limits.uploadBytes });
    try {
      await walkZip(spooled.file, input.limits, async (entry, mode, open) => {
        // Opened only when the writer starts reading, so no error is emitted unheard.
        async function* body(): AsyncGenerator<Buffer> { yield* await open(); }
        await writer.write(entry, mode, entry.kind === 'file' ? body() : undefined);
      });
    } finally {
      await spooled.dispose();
    }
    return writer.finish();
  }
  let writing: Promise<void> = Promise.resolve();
  const walker = createTarWalker({
    gzip: input.format === 'tar.gz',
    limits: input.limits,
    onEntry(entry, body, mode) {
      // The parser hands out the next entry only after this one's body ended, so the
      // chain never holds more than one pending write.
      writing = writing.then(() => writer.write(entry, mode, entry.kind === 'file' ? body : undefined))
        .then(() => { if (entry.kind !== 'file') body.resume(); })
        .catch((error: Error) => {
          body.resume();
          walker.fail(error);
        });
    },
  });
  try {
    for await (const chunk of input.body) await walker.write(chunk as Buffer);
    await walker.end();
    await writing;
    if (walker.failure) throw walker.failure;
  } catch (error) {
    input.body.destroy();
    throw walker.failure ?? error;
  }
  await writer.finish();
}
