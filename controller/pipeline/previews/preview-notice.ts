/**
 * How a preview that was not built is told on the pull request: a commit status on its
 * head (GitHub, and GitLab and Gitea where a token is configured). Implementations
 * must swallow their own errors: a provider outage never stops a check.
 */
import type { App } from '../../../core/types.ts';

/** Why a pull request got no preview. */
export type PreviewRefusal = 'fork' | 'limit';

/** Tells a pull request why it has no preview. */
export interface PreviewNotifier {
  refused(input: { parent: App; preview: string; number: number; sha: string; reason: PreviewRefusal; message: string }): Promise<void>;
}
