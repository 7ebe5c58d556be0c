import type { Readable } from 'node:stream';

/** A revision resolved against a remote's refs. */
export interface ResolvedRevision {
  /** Full 40-hex commit SHA. */
  sha: string;
  /** The branch it is the head of, or that the user named. */
  branch?: string;
  /** The ref it was found under (e.g. `refs/tags/v1`), when it was found under one. */
  ref?: string;
}

/** Options for {@link GitSource.archive}. */
export interface ArchiveRequest {
  url: string;
  resolved: ResolvedRevision;
  /** Only this folder becomes the archive's root. */
  subdir?: string;
  signal?: AbortSignal;
}

/**
 * Git repositories over HTTP(S), guarded against SSRF and oversized transfers.
 * Errors are SlipwayErrors: `invalid_git_url`, `git_address_refused`,
 * `unknown_revision`, `unknown_subdir`, `git_auth_required`, `git_unreachable`,
 * `too_large` and `unsafe_archive` (the upload limits and rules apply to imports too),
 * `git_too_large`, `git_timeout`.
 */
export interface GitSource {
  /**
   * Resolves `revision` (empty: the default branch; a branch, tag, or full/short SHA)
   * to a commit by listing the remote's refs; fetches only when a short or non-tip
   * SHA must be confirmed.
   */
  resolve(url: string, revision: string, options?: { signal?: AbortSignal }): Promise<ResolvedRevision>;
  /**
   * Streams the commit's tree (or `subdir` of it) as a tar.gz holding exactly the files
   * of `git archive`, with modes and symlinks, minus what `.slipwayignore` /
   * `.epinioignore` exclude.
   */
  archive(request: ArchiveRequest): Promise<Readable>;
  /**
   * Lists the remote's refs starting with any of `prefixes` (e.g. `refs/pull/` for the
   * open pull requests of preview apps), with the commit each points to (tags peeled).
   * Optional: a source without it gets no preview polling.
   */
  listRefs?(url: string, prefixes: string[], options?: { signal?: AbortSignal }): Promise<{ ref: string; sha: string }[]>;
}
