/**
 * Watching follows a branch; a tag or a commit has nothing to follow. Checked against
 * the remote's refs when watching is turned on, so the refusal names the cause.
 */
import type { GitSource } from '../../core/ports/git-source.ts';
import type { GitOrigin } from '../../core/types.ts';
import { SlipwayError } from '../../core/errors.ts';

/** Returns the origin with its `branch` filled in; throws `watch_needs_branch` for a tag or a commit. */
export async function assertWatchable(git: GitSource, origin: GitOrigin): Promise<GitOrigin> {
  const revision = origin.revision ?? origin.branch ?? '';
  const resolved = await git.resolve(origin.url, revision);
  if (!resolved.ref?.startsWith('refs/heads/') || !resolved.branch) {
    throw new SlipwayError('watch_needs_branch',
      `cannot watch "${revision}": it is ${resolved.ref?.startsWith('refs/tags/') ? 'a tag' : 'a commit'}, which never moves; watch a branch (e.g. --git URL,main --watch)`,
      { status: 422, data: { revision } });
  }
  return { ...origin, branch: resolved.branch };
}
