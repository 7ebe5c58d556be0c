/**
 * Creates checked entries under a destination folder, the careful way: never through
 * a symlink (parents are checked with lstat, files opened with O_NOFOLLOW | O_EXCL),
 * permission bits kept but setuid, setgid and sticky dropped, no ownership changes.
 * Symlinks are created last, after the whole archive passed its checks, so no entry
 * can be written through one.
 */
import { constants } from 'node:fs';
import { lstat, link, mkdir, open, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { unsafeArchive } from '../../core/error-cases.ts';
import type { CheckedEntry } from './check-entry.ts';

const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** See {@link createEntryWriter}. */
export interface EntryWriter {
  /** Creates one entry; `body` is required for files. */
  write(entry: CheckedEntry, mode: number, body?: AsyncIterable<Buffer>): Promise<void>;
  /** Creates the symlinks collected so far. Call once the archive passed every check. */
  finish(): Promise<void>;
}

/** A writer into `dest`, an existing folder whose real path it is (no symlink in it). */
export function createEntryWriter(dest: string): EntryWriter {
  const links: CheckedEntry[] = [];

  async function kindAt(path: string): Promise<'missing' | 'directory' | 'file' | 'other'> {
    try {
      const stat = await lstat(path);
      return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
  }

  /** Creates the folders of `relative`, refusing any that exists as something else. */
  async function mkdirs(relative: string, shown: string): Promise<void> {
    let current = dest;
    for (const segment of relative === '' ? [] : relative.split('/')) {
      current = join(current, segment);
      const kind = await kindAt(current);
      if (kind === 'missing') await mkdir(current, { mode: 0o755 });
      else if (kind !== 'directory') throw unsafeArchive(shown, `${JSON.stringify(segment)} on its path is not a directory`);
    }
  }

  /** Makes room for a file at `path`: an earlier file is replaced, anything else refused. */
  async function clear(path: string, shown: string): Promise<void> {
    const kind = await kindAt(path);
    if (kind === 'file') await unlink(path);
    else if (kind !== 'missing') throw unsafeArchive(shown, 'it would replace a directory or a link');
  }

  const parentOf = (path: string) => path.split('/').slice(0, -1).join('/');

  return {
    async write(entry, mode, body) {
      const target = join(dest, entry.path);
      if (entry.kind === 'directory') return mkdirs(entry.path, entry.path);
      if (entry.kind === 'symlink') return void links.push(entry);
      await mkdirs(parentOf(entry.path), entry.path);
      await clear(target, entry.path);
      if (entry.kind === 'hardlink') {
        const source = join(dest, entry.linkTarget!);
        if (await kindAt(source) !== 'file') throw unsafeArchive(entry.path, 'the hard link target is not a file');
        return link(source, target);
      }
      const permissions = mode & 0o777;
      const handle = await open(target, FILE_FLAGS, 0o600);
      try {
        // On the descriptor, so umask does not apply and no path is followed again.
        await handle.chmod(permissions);
      } catch (error) {
        await handle.close();
        throw error;
      }
      await pipeline(body!, handle.createWriteStream());
    },
    async finish() {
      for (const entry of links) {
        await mkdirs(parentOf(entry.path), entry.path);
        if (await kindAt(join(dest, entry.path)) !== 'missing') throw unsafeArchive(entry.path, 'the symlink would replace another entry');
        await symlink(entry.linkTarget!, join(dest, entry.path));
      }
    },
  };
}
