/**
 * The one rule set for an archive entry, shared by upload validation, the local
 * runtime's stage and `slipway unpack`: the same entry is refused everywhere, for the
 * same reason. Anything that could write outside the destination, or create something
 * other than files, directories and links inside it, is refused (never skipped: a
 * half-extracted source would build something other than what the user pushed).
 */
import { posix } from 'node:path';
import { unsafeArchive } from '../../core/error-cases.ts';

/** What an entry creates. `special` covers devices, FIFOs and any type we do not know. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special';

/** An entry as read from a tar or zip header. */
export interface RawEntry {
  path: string;
  kind: EntryKind;
  /** Symlink target (relative to the link's folder) or hard-link target (relative to the root). */
  linkTarget?: string;
  /** The archive's own type name, for messages (e.g. `FIFO`). */
  typeName?: string;
}

/** An entry that passed {@link checkEntry}: `path` is normalised, relative, `/`-separated. */
export interface CheckedEntry {
  /** Normalised path; `''` is the archive root itself (`./`). */
  path: string;
  kind: Exclude<EntryKind, 'special'>;
  /** Symlink: the target as written. Hard link: the normalised root-relative target. */
  linkTarget?: string;
}

const DRIVE = /^[a-z]:/i;

/**
 * Normalises an entry path or refuses it: NUL bytes, absolute paths (`/x`, `\x`,
 * `C:\x`, `C:x`) and `..` segments (split on `/` and `\`, so Windows-style traversal in
 * zips is caught too) are refused; `.` and empty segments are dropped.
 */
export function normalizeEntryPath(path: string, shownAs = path): string {
  if (path.includes('\0')) throw unsafeArchive(shownAs, 'the path contains a NUL byte');
  if (path.startsWith('/') || path.startsWith('\\') || DRIVE.test(path)) {
    throw unsafeArchive(shownAs, 'absolute paths are not allowed');
  }
  const segments = path.split(/[/\\]/);
  if (segments.includes('..')) throw unsafeArchive(shownAs, 'the path climbs out with ".."');
  if (path.includes('\\')) throw unsafeArchive(shownAs, 'backslashes are not allowed in paths');
  return segments.filter((s) => s !== '' && s !== '.').join('/');
}

/** Checks one entry on its own (see {@link createArchiveTree} for rules across entries). */
export function checkEntry(entry: RawEntry): CheckedEntry {
  const path = normalizeEntryPath(entry.path);
  switch (entry.kind) {
    case 'file':
    case 'directory':
      if (path === '' && entry.kind === 'file') throw unsafeArchive(entry.path, 'a file cannot replace the root');
      return { path, kind: entry.kind };
    case 'symlink':
      return { path, kind: 'symlink', linkTarget: checkSymlinkTarget(entry.path, path, entry.linkTarget) };
    case 'hardlink': {
      const target = entry.linkTarget ?? '';
      if (target === '') throw unsafeArchive(entry.path, 'the hard link has no target');
      let normalised: string;
      try {
        normalised = normalizeEntryPath(target, entry.path);
      } catch {
        throw unsafeArchive(entry.path, `the hard link points outside the archive (${JSON.stringify(target)})`);
      }
      if (normalised === '' || path === '') throw unsafeArchive(entry.path, 'a hard link cannot involve the root');
      return { path, kind: 'hardlink', linkTarget: normalised };
    }
    default:
      throw unsafeArchive(entry.path, `${entry.typeName ?? 'special'} entries (devices, FIFOs, sockets) are not allowed`);
  }
}

/** A symlink must not be the root, must be relative and must stay inside the root when read as written. */
function checkSymlinkTarget(raw: string, path: string, target: string | undefined): string {
  if (path === '') throw unsafeArchive(raw, 'a symlink cannot replace the root');
  if (target === undefined || target === '') throw unsafeArchive(raw, 'the symlink has no target');
  if (target.includes('\0')) throw unsafeArchive(raw, 'the symlink target contains a NUL byte');
  if (target.startsWith('/') || target.startsWith('\\') || DRIVE.test(target)) {
    throw unsafeArchive(raw, `the symlink target ${JSON.stringify(target)} is absolute`);
  }
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw unsafeArchive(raw, `the symlink target ${JSON.stringify(target)} points outside the archive`);
  }
  return target;
}
