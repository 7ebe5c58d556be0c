/**
 * The first pass of a git archive: walks the tree objects only (small; blobs are
 * sized from their pack headers, never inflated) and holds the result to the limits
 * an upload is held to, before a byte is streamed. A "git bomb" — trees nesting 10
 * wide and 9 deep, 10^9 paths in a handful of objects — fails here within
 * milliseconds on the entry count, and every entry passes the same checks as an
 * upload's (controller/archive/create-archive-tree.ts), so a symlink out of the root
 * is refused at import time.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { tooLarge, unsafeArchive } from '../../../core/error-cases.ts';
import { createIgnoreFilter, SOURCE_IGNORE_FILES, type IgnoreFilter } from '../../../core/ignore-rules.ts';
import type { ArchiveLimits } from '../../archive/archive-limits.ts';
import { tooManyEntries } from '../../archive/archive-errors.ts';
import { createArchiveTree } from '../../archive/create-archive-tree.ts';
import type { EntryKind } from '../../archive/check-entry.ts';
import type { PackIndex } from './pack-index.ts';
import { parseTree, type TreeEntry } from './parse-objects.ts';

/** The limits that apply to a git archive. */
export type GitArchiveLimits = Pick<ArchiveLimits, 'archiveEntries' | 'unpackedBytes'>;

/** One entry to stream, in `git archive` order. */
export interface PlannedEntry {
  /** Normalised path, without a trailing slash. */
  path: string;
  type: 'directory' | 'file' | 'symlink';
  /** Permission bits of the tar header. */
  mode: number;
  /** Files: the blob to stream. */
  blob?: string;
  /** Symlinks: the target. */
  linkname?: string;
}

/** Options for {@link planArchive}. */
export interface PlanArchiveOptions {
  pack: PackIndex;
  /** The tree that becomes the archive root. */
  tree: string;
  limits: GitArchiveLimits;
  /** Checked every few hundred entries (the operation's deadline). */
  signal?: AbortSignal;
}

/** Longest symlink target accepted (Linux's PATH_MAX); a target is read into memory. */
const MAX_LINK_BYTES = 4096;

/**
 * Lists the entries of the archive or throws what an upload of it would throw:
 * `too_large` (entries: SLIPWAY_MAX_ARCHIVE_ENTRIES; blob sizes: SLIPWAY_MAX_UNPACKED_BYTES)
 * or `unsafe_archive`. Each limit is checked before the entry is added.
 */
export async function planArchive(options: PlanArchiveOptions): Promise<PlannedEntry[]> {
  const { pack, limits } = options;
  const checked = createArchiveTree();
  const filter = ignoreFilterFor(pack, options.tree);
  const trees = new Map<string, TreeEntry[]>();
  const entries: PlannedEntry[] = [];
  let bytes = 0;
  let visited = 0;

  const treeOf = (oid: string): TreeEntry[] => {
    let listed = trees.get(oid);
    if (!listed) {
      const tree = pack.read(oid);
      if (!tree || tree.type !== 'tree') throw new Error(`tree ${oid} missing from the pack`);
      listed = parseTree(tree.data);
      trees.set(oid, listed);
    }
    return listed;
  };
  const sizeOf = (oid: string): number => {
    const size = pack.sizeOf(oid);
    if (size === undefined) throw new Error(`blob ${oid} missing from the pack`);
    bytes += size;
    if (bytes > limits.unpackedBytes) throw tooLarge('the unpacked archive', limits.unpackedBytes, 'SLIPWAY_MAX_UNPACKED_BYTES');
    return size;
  };
  const add = (path: string, kind: EntryKind, entry: Omit<PlannedEntry, 'path'>) => {
    if (entries.length >= limits.archiveEntries) throw tooManyEntries(limits.archiveEntries);
    const accepted = checked.add({ path, kind, linkTarget: entry.linkname });
    entries.push({ ...entry, path: accepted.path });
    return accepted.path;
  };

  // Depth-first in tree order, as `git archive`; an explicit stack, as a crafted repository can nest deeply.
  const stack: { entries: TreeEntry[]; next: number; prefix: string }[] = [{ entries: treeOf(options.tree), next: 0, prefix: '' }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const entry = top.entries[top.next++];
    if (!entry) {
      stack.pop();
      continue;
    }
    if (++visited % 512 === 0) {
      await yieldToLoop();
      options.signal?.throwIfAborted();
    }
    const raw = `${top.prefix}${entry.name}`;
    // Names git itself never writes (git fsck refuses them): they would alias another path.
    if (['', '.', '..', '.git'].includes(entry.name.toLowerCase()) || /[/\\\0]/.test(entry.name)) {
      throw unsafeArchive(raw, 'a git tree cannot hold this name');
    }
    const isDirectory = entry.mode === '40000' || entry.mode === '160000';
    if (filter(raw, isDirectory)) continue;
    if (entry.mode === '40000') {
      const path = add(raw, 'directory', { type: 'directory', mode: 0o755 });
      stack.push({ entries: treeOf(entry.oid), next: 0, prefix: `${path}/` });
    } else if (entry.mode === '160000') {
      // A submodule is an empty folder, as in `git archive`.
      add(raw, 'directory', { type: 'directory', mode: 0o755 });
    } else if (entry.mode === '120000') {
      if (sizeOf(entry.oid) > MAX_LINK_BYTES) throw unsafeArchive(raw, `the symlink target is longer than ${MAX_LINK_BYTES} bytes`);
      const linkname = pack.read(entry.oid)!.data.toString('utf8');
      add(raw, 'symlink', { type: 'symlink', mode: 0o777, linkname });
    } else {
      sizeOf(entry.oid);
      add(raw, 'file', { type: 'file', mode: entry.mode === '100755' ? 0o755 : 0o644, blob: entry.oid });
    }
  }
  checked.finish();
  return entries;
}

function ignoreFilterFor(pack: PackIndex, treeOid: string): IgnoreFilter {
  const tree = pack.read(treeOid);
  const entries = tree ? parseTree(tree.data) : [];
  const contents = entries
    .filter((e) => (SOURCE_IGNORE_FILES as readonly string[]).includes(e.name) && e.mode.startsWith('100'))
    .map((e) => pack.read(e.oid)?.data.toString('utf8') ?? '');
  return createIgnoreFilter(contents);
}
