/**
 * Import step: resolve a git revision against the remote, stream that commit's tree
 * (or a subdir of it) as a tar.gz into the blob store, and record it on the app.
 * Everything that can be refused is refused before a byte is written.
 */
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../../core/ports/blob-store.ts';
import { sourceKey } from '../../core/ports/blob-store.ts';
import type { GitSource } from '../../core/ports/git-source.ts';
import type { StateStore } from '../../core/ports/state-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { SourceRecord, StoredSource } from '../../core/types.ts';
import { validateGitUrl, validateRevision, validateSubdir } from '../../core/git-rules.ts';
import { withoutUndefined } from '../../core/without-undefined.ts';
import { recordSource } from './record-source.ts';

/** What {@link importGit} needs. */
export interface ImportGitDeps {
  git: GitSource;
  blobs: BlobStore;
  store: StateStore;
  clock: Clock;
}

/** One import request. */
export interface ImportGitInput {
  namespace: string;
  app: string;
  url: string;
  /** Branch, tag, full or short SHA; empty for the remote's default branch. */
  revision: string;
  subdir?: string;
  signal?: AbortSignal;
  /**
   * Leave `spec.origin` as it is and only record the source (a watch check importing
   * the SHA it resolved must not turn a watched branch into a pinned commit).
   */
  keepOrigin?: boolean;
  /**
   * The branch a full-SHA `revision` was taken from (a watched branch's head, as the
   * watcher resolved it), recorded because a SHA names no branch of its own.
   */
  branch?: string;
}

/** Runs the import and returns `{blobuid, revision, branch}`. */
export async function importGit(deps: ImportGitDeps, input: ImportGitInput): Promise<StoredSource> {
  validateGitUrl(input.url);
  const revision = validateRevision(input.revision);
  const subdir = validateSubdir(input.subdir) || undefined;
  const found = await deps.git.resolve(input.url, revision, { signal: input.signal });
  const resolved = found.branch || !input.branch || !/^[0-9a-f]{40}$/.test(revision) ? found : { ...found, branch: input.branch };
  const archive = await deps.git.archive({ url: input.url, resolved, subdir, signal: input.signal });
  const blobuid = randomUUID();
  const { size } = await deps.blobs.put(sourceKey(input.namespace, input.app, blobuid), archive, { contentType: 'application/gzip', signal: input.signal });
  const record: SourceRecord = withoutUndefined({
    blobuid, revision: resolved.sha, branch: resolved.branch, subdir, url: input.url, format: 'tar.gz', size, createdAt: deps.clock.now().toISOString(),
  });
  await recordSource(deps.store, input.namespace, input.app, record, input.keepOrigin ? undefined : {
    kind: 'git', url: input.url, revision: revision || undefined, branch: resolved.branch, subdir,
  });
  return { blobuid, revision: resolved.sha, ...(resolved.branch ? { branch: resolved.branch } : {}) };
}
