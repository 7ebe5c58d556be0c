/**
 * Ignore files for source archives: `.slipwayignore` and Epinio's `.epinioignore` (and,
 * for directory pushes, `.gitignore`), in gitignore syntax via the `ignore` package.
 * Used both by the CLI's directory packer and by the git importer, so a repository
 * pushed as a directory and imported from git yield the same files.
 */
import ignore from 'ignore';

/** Ignore files honoured by every source kind. */
export const SOURCE_IGNORE_FILES = ['.slipwayignore', '.epinioignore'] as const;

/** Decides whether a slash-separated path relative to the source root is excluded. */
export type IgnoreFilter = (relativePath: string, isDirectory: boolean) => boolean;

/**
 * Builds a filter from the contents of ignore files found at the source root (the
 * order does not matter; rules are combined). `.git/` is always excluded.
 */
export function createIgnoreFilter(contents: string[]): IgnoreFilter {
  const rules = ignore().add('.git/');
  for (const text of contents) rules.add(text);
  return (relativePath, isDirectory) => {
    const path = isDirectory && !relativePath.endsWith('/') ? `${relativePath}/` : relativePath;
    return rules.ignores(path);
  };
}
