/**
 * Walks a directory the way a directory push sees it: ignore files honoured, `.git/`
 * left out, symlinks kept as links (never followed), sockets, FIFOs and devices skipped,
 * entries in a stable byte order so the same tree always packs the same way.
 */
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createIgnoreFilter, SOURCE_IGNORE_FILES, type IgnoreFilter } from '../core/ignore-rules.ts';

/** One entry of the source tree, with a slash-separated path relative to the root. */
export interface SourceEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Normalised like git does: 0755 or 0644 for files, 0755 for directories. */
  mode: number;
  /** Bytes of content (files only; 0 otherwise). */
  size: number;
  mtime: Date;
  /** Target of a symlink, as stored in the link. */
  linkname?: string;
}

/** A path left out by an ignore rule: an ignored folder is one entry (it is not walked). */
export interface IgnoredPath {
  path: string;
  /** The ignore file that leaves it out (`.gitignore`, `web/.gitignore`, `.slipwayignore`…), or `.git` for `.git/`. */
  by: string;
}

/** The entries to pack, the paths ignore rules left out, and the paths left out because they are not files, folders or links. */
export interface SourceListing {
  entries: SourceEntry[];
  ignored: IgnoredPath[];
  skipped: string[];
}

interface ScopedFilter {
  /** Folder the ignore file sits in, with a trailing slash ('' for the root). */
  prefix: string;
  ignores: IgnoreFilter;
  /** Each ignore file's own rules, to say which one left a path out (messages only). */
  files: Array<{ name: string; ignores: IgnoreFilter }>;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw error;
  }
}

/** Byte-order comparison: locale-independent, so every machine packs the same order. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Lists the source tree under `root`. Root rules come from `.gitignore`,
 * `.slipwayignore` and `.epinioignore`; a `.gitignore` in a subfolder applies to that
 * subfolder (a path is left out when any applicable file ignores it; a nested `!rule`
 * cannot re-include what a parent folder's file excluded).
 */
export async function listSourceEntries(root: string): Promise<SourceListing> {
  const rootFiles: Array<{ name: string; text: string }> = [];
  for (const name of ['.gitignore', ...SOURCE_IGNORE_FILES]) {
    const text = await readIfPresent(join(root, name));
    if (text !== undefined) rootFiles.push({ name, text });
  }
  const entries: SourceEntry[] = [];
  const ignored: IgnoredPath[] = [];
  const skipped: string[] = [];

  /** Which file left `path` out, for messages: the first whose rules alone ignore it. */
  function ignoredBy(path: string, name: string, isDirectory: boolean, filters: ScopedFilter[]): string {
    if (name === '.git' && isDirectory) return '.git';
    for (const filter of filters) {
      if (!path.startsWith(filter.prefix)) continue;
      const file = filter.files.find((f) => f.ignores(path.slice(filter.prefix.length), isDirectory));
      if (file) return file.name;
    }
    return 'ignore rules';
  }

  async function walk(relativeDir: string, filters: ScopedFilter[]): Promise<void> {
    const names = (await readdir(join(root, relativeDir))).sort(byName);
    for (const name of names) {
      const path = relativeDir === '' ? name : `${relativeDir}/${name}`;
      const stats = await lstat(join(root, path));
      const isDirectory = stats.isDirectory();
      if (filters.some((f) => path.startsWith(f.prefix) && f.ignores(path.slice(f.prefix.length), isDirectory))) {
        ignored.push({ path: isDirectory ? `${path}/` : path, by: ignoredBy(path, name, isDirectory, filters) });
        continue;
      }
      if (isDirectory) {
        entries.push({ path, type: 'directory', mode: 0o755, size: 0, mtime: stats.mtime });
        const nested = await readIfPresent(join(root, path, '.gitignore'));
        const ignores = nested === undefined ? undefined : createIgnoreFilter([nested]);
        const inner = ignores === undefined ? filters : [...filters, { prefix: `${path}/`, ignores, files: [{ name: `${path}/.gitignore`, ignores }] }];
        await walk(path, inner);
      } else if (stats.isSymbolicLink()) {
        entries.push({ path, type: 'symlink', mode: 0o777, size: 0, mtime: stats.mtime, linkname: await readlink(join(root, path)) });
      } else if (stats.isFile()) {
        entries.push({ path, type: 'file', mode: stats.mode & 0o111 ? 0o755 : 0o644, size: stats.size, mtime: stats.mtime });
      } else {
        skipped.push(path);
      }
    }
  }

  const files = rootFiles.map((f) => ({ name: f.name, ignores: createIgnoreFilter([f.text]) }));
  await walk('', [{ prefix: '', ignores: createIgnoreFilter(rootFiles.map((f) => f.text)), files }]);
  return { entries, ignored, skipped };
}
