/**
 * Refuses a directory push that would send no file. The server cannot tell an archive
 * of nothing from a damaged one (it answered `corrupt_archive`), and a push that fails
 * after creating its app leaves an empty app behind, so the CLI says it first, before
 * any request, and names the ignore files that left everything out.
 */
import { SOURCE_IGNORE_FILES } from '../core/ignore-rules.ts';
import { usageError, type CliError } from './cli-error.ts';
import type { SourceListing } from './list-source-entries.ts';

/** Ignore files: they shape the archive but are not the app, so they alone do not make a folder worth pushing. */
const IGNORE_FILE_NAMES = new Set<string>(['.gitignore', ...SOURCE_IGNORE_FILES]);

/** Paths shown as examples of what was ignored. */
const EXAMPLES = 3;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** "2 ignored by .gitignore, .git/ (never pushed)", with a few of the paths. */
function ignoredSummary(ignored: SourceListing['ignored']): string {
  const counts = new Map<string, number>();
  for (const { by } of ignored) counts.set(by, (counts.get(by) ?? 0) + 1);
  const parts = [...counts].map(([by, n]) => (by === '.git' ? '.git/ is never pushed' : `${n} ignored by ${by}`));
  const shown = ignored.filter((i) => i.by !== '.git').slice(0, EXAMPLES).map((i) => i.path);
  const more = ignored.filter((i) => i.by !== '.git').length - shown.length;
  const examples = shown.length ? `: ${shown.join(', ')}${more > 0 ? `, … ${more} more` : ''}` : '';
  return `${parts.join('; ')}${examples}`;
}

/**
 * The exit-2 `empty_source` error for a listing without a file or symlink to push
 * (ignore files alone do not count), or undefined when there is something to push.
 */
export function emptySourceError(dir: string, listing: SourceListing): CliError | undefined {
  const content = listing.entries.some((e) => e.type !== 'directory' && !IGNORE_FILE_NAMES.has(baseName(e.path)));
  if (content) return undefined;
  if (listing.ignored.length > 0) {
    return usageError(
      `${dir} holds only ignored files (${ignoredSummary(listing.ignored)}); nothing would be pushed`,
      'push the folder that holds the app, or change the rules: a `!pattern` line in .slipwayignore brings back what .gitignore leaves out',
      'empty_source',
    );
  }
  const what = listing.entries.length === 0 ? 'is empty' : 'holds no files (only folders or ignore files)';
  return usageError(`${dir} ${what}; nothing would be pushed`, 'put the app\'s files in it, or point --path (or origin.path in the manifest) at the folder that holds them', 'empty_source');
}
