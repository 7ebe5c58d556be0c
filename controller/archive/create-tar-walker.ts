/**
 * Parses a tar or tar.gz byte stream (node-tar's `Parser`, gunzip by zlib so that we
 * count the unpacked bytes ourselves) and applies the archive rules and limits to
 * every entry. Shared by the upload's validating pass-through and by `safeUnpack`, so
 * both read exactly the same entries (PAX and GNU long names included).
 */
import { once } from 'node:events';
import { createGunzip, type Gunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { tooLarge } from '../../core/error-cases.ts';
import type { ArchiveLimits } from './archive-limits.ts';
import { corruptArchive, tooManyEntries } from './archive-errors.ts';
import type { CheckedEntry, EntryKind } from './check-entry.ts';
import { createArchiveTree } from './create-archive-tree.ts';

/** Options for {@link createTarWalker}. */
export interface TarWalkerOptions {
  gzip: boolean;
  limits: ArchiveLimits;
  /**
   * Called for each accepted entry. It must consume `body` (pipe or resume it): the
   * parser waits for it. Without it, bodies are discarded.
   */
  onEntry?: (entry: CheckedEntry, body: ReadEntry, mode: number) => void;
}

/** Feed bytes in with `write`, then `end`: both reject with the first rule broken. */
export interface TarWalker {
  write(chunk: Buffer): Promise<void>;
  /** Resolves once every entry was read and the whole-archive checks passed. */
  end(): Promise<void>;
  /** Stops the walk with `error` (e.g. the consumer of an entry failed). */
  fail(error: Error): void;
  readonly failure: Error | undefined;
}

const KINDS: Record<string, EntryKind> = {
  File: 'file', OldFile: 'file', ContiguousFile: 'file',
  Directory: 'directory', GNUDumpDir: 'directory',
  SymbolicLink: 'symlink', Link: 'hardlink',
};

/** Starts a walk over one tar or tar.gz stream. */
export function createTarWalker(options: TarWalkerOptions): TarWalker {
  const { limits } = options;
  const tree = createArchiveTree();
  const parser = new Parser({ strict: true, zstd: false, brotli: false });
  const gunzip: Gunzip | undefined = options.gzip ? createGunzip() : undefined;
  let failure: Error | undefined;
  let rejectFailed: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => { rejectFailed = reject; });
  failed.catch(() => {});
  let received = 0;
  let unpacked = 0;
  let entries = 0;
  let sawEof = false;

  function fail(error: Error): void {
    if (failure) return;
    failure = error;
    gunzip?.destroy();
    rejectFailed(error);
  }

  parser.on('entry', (entry: ReadEntry) => {
    if (failure) return void entry.resume();
    if (++entries > limits.archiveEntries) {
      entry.resume();
      return fail(tooManyEntries(limits.archiveEntries));
    }
    let checked: CheckedEntry;
    try {
      checked = tree.add({ path: entry.path, kind: KINDS[entry.type] ?? 'special', linkTarget: entry.linkpath, typeName: entry.type });
    } catch (error) {
      entry.resume();
      return fail(error as Error);
    }
    if (options.onEntry) options.onEntry(checked, entry, entry.mode ?? 0o644);
    else entry.resume();
  });
  parser.on('eof', () => { sawEof = true; });
  parser.on('error', (error: Error) => fail(corruptArchive(`tar: ${error.message}`)));
  const parsed = new Promise<void>((resolve) => parser.on('end', resolve));

  /** Feeds tar bytes to the parser; resolves when it can take more. */
  function feed(chunk: Buffer): Promise<void> | undefined {
    if (failure) return undefined;
    unpacked += chunk.length;
    if (unpacked > limits.unpackedBytes) {
      fail(tooLarge('the unpacked archive', limits.unpackedBytes, 'SLIPWAY_MAX_UNPACKED_BYTES'));
      return undefined;
    }
    if (parser.write(chunk)) return undefined;
    return Promise.race([once(parser, 'drain').then(() => {}), failed]);
  }

  if (gunzip) {
    gunzip.on('data', (chunk: Buffer) => {
      const waiting = feed(chunk);
      if (waiting) {
        gunzip.pause();
        waiting.then(() => gunzip.resume(), () => {});
      }
    });
    gunzip.on('error', (error) => fail(corruptArchive(`gzip: ${error.message}`)));
    gunzip.on('end', () => { if (!failure) parser.end(); });
  }

  async function settle(waiting: Promise<unknown>): Promise<void> {
    try {
      await Promise.race([waiting, failed]);
    } catch (error) {
      throw failure ?? error;
    }
  }

  return {
    get failure() { return failure; },
    fail,
    async write(chunk) {
      if (failure) throw failure;
      received += chunk.length;
      if (received > limits.uploadBytes) {
        fail(tooLarge('the upload', limits.uploadBytes, 'SLIPWAY_MAX_UPLOAD_BYTES'));
        throw failure!;
      }
      if (gunzip) {
        if (!gunzip.write(chunk)) await settle(once(gunzip, 'drain'));
      } else {
        const waiting = feed(chunk);
        if (waiting) await settle(waiting);
      }
      if (failure) throw failure;
    },
    async end() {
      if (failure) throw failure;
      if (gunzip) gunzip.end();
      else parser.end();
      await settle(parsed);
      if (failure) throw failure;
      if (!sawEof) fail(corruptArchive('the tar end-of-archive marker is missing (truncated upload?)'));
      else {
        try {
          tree.finish();
        } catch (error) {
          fail(error as Error);
        }
      }
      if (failure) throw failure;
    },
  };
}
