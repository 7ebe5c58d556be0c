/**
 * Rules across entries: an archive is checked as the tree it would produce, not only
 * entry by entry. A symlink that is harmless on its own can become a path out when a
 * later entry writes through it (`link -> ..`, then `link/x`), or when another symlink
 * changes what it resolves to (`a -> d/s/..` with `d/s -> ..`). Those cases are why the
 * final check resolves every symlink the way the kernel would, against all symlinks
 * of the archive.
 */
import { unsafeArchive } from '../../core/error-cases.ts';
import { checkEntry, type CheckedEntry, type RawEntry } from './check-entry.ts';

/** Follows at most this many symlinks while resolving one (Linux's ELOOP limit). */
const MAX_HOPS = 40;

/** The state of one archive walk; see {@link createArchiveTree}. */
export interface ArchiveTree {
  /** Checks an entry alone and against the entries before it; returns it normalised. */
  add(raw: RawEntry): CheckedEntry;
  /** Checks what only the whole archive tells: every symlink resolves inside the root. */
  finish(): void;
}

/** Starts a walk over the entries of one archive. */
export function createArchiveTree(): ArchiveTree {
  const kinds = new Map<string, CheckedEntry['kind']>();
  const symlinks = new Map<string, string>();
  /** Every folder that some entry lives in (so a later symlink cannot replace it). */
  const parents = new Set<string>();

  function add(raw: RawEntry): CheckedEntry {
    const entry = checkEntry(raw);
    if (entry.path === '') return entry;
    const segments = entry.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i).join('/');
      if (symlinks.has(prefix)) throw unsafeArchive(raw.path, `it would be written through the symlink ${JSON.stringify(prefix)}`);
      const kind = kinds.get(prefix);
      if (kind !== undefined && kind !== 'directory') throw unsafeArchive(raw.path, `its parent ${JSON.stringify(prefix)} is not a directory`);
    }
    const earlier = kinds.get(entry.path);
    if (earlier === 'symlink' || (entry.kind === 'symlink' && earlier !== undefined)) {
      throw unsafeArchive(raw.path, 'it replaces an earlier entry with a symlink, or a symlink with another entry');
    }
    if (earlier !== undefined && (earlier === 'directory') !== (entry.kind === 'directory')) {
      throw unsafeArchive(raw.path, 'it conflicts with an earlier entry of another type');
    }
    if (entry.kind !== 'directory' && parents.has(entry.path)) {
      throw unsafeArchive(raw.path, 'it replaces a directory that holds other entries');
    }
    if (entry.kind === 'hardlink') {
      const target = kinds.get(entry.linkTarget!);
      if (target !== 'file' && target !== 'hardlink') {
        throw unsafeArchive(raw.path, `the hard link target ${JSON.stringify(entry.linkTarget)} is not an earlier file of the archive`);
      }
    }
    kinds.set(entry.path, entry.kind);
    if (entry.kind === 'symlink') symlinks.set(entry.path, entry.linkTarget!);
    for (let i = 1; i < segments.length; i++) parents.add(segments.slice(0, i).join('/'));
    return entry;
  }

  /** True when following `link` (and every symlink on the way) leaves the root. */
  function escapes(link: string): boolean {
    const stack = link.split('/').slice(0, -1);
    let queue = symlinks.get(link)!.split('/');
    let hops = 0;
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (stack.length === 0) return true;
        stack.pop();
        continue;
      }
      stack.push(part);
      const target = symlinks.get(stack.join('/'));
      if (target === undefined) continue;
      if (++hops > MAX_HOPS || target.startsWith('/')) return true;
      stack.pop();
      queue = [...target.split('/'), ...queue];
    }
    return false;
  }

  function finish(): void {
    for (const link of symlinks.keys()) {
      if (escapes(link)) throw unsafeArchive(link, 'the symlink resolves outside the archive (through other symlinks) or loops');
    }
  }

  return { add, finish };
}
