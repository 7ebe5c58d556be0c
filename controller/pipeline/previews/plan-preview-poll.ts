/**
 * The polling side of previews (issue 15): one listing of the repository's branch and
 * pull request refs per poll of an app with previews, turned into the few preview
 * checks worth running, so previews work without webhooks. A poll cannot see whether a
 * pull request is open (GitHub keeps `refs/pull/N/head` after a close) nor whether it
 * comes from a fork, so it only starts a preview for a head that is also the tip of a
 * branch of the repository (a pull request from a branch here, whose code the app's
 * owners pushed) — or any head when forks are allowed — and never for a pull request
 * a webhook reported closed. It follows the heads of existing previews, and a preview
 * whose ref is gone is checked, which deletes it.
 */
import type { GitSource } from '../../../core/ports/git-source.ts';
import { parsePullRequestRef } from '../../../core/preview-name.ts';
import { DEFAULT_MAX_PREVIEWS, type App } from '../../../core/types.ts';
import { previewSettings, previewsOf, type PreviewRequest } from './check-preview.ts';

/** One preview check a poll asks for. */
export interface PlannedCheck {
  number: number;
  request: PreviewRequest;
}

/** Lists `parent`'s pull request refs and returns the checks to run; none when previews are off or the source cannot list refs. */
export async function planPreviewPoll(git: Pick<GitSource, 'listRefs'>, parent: App, listApps: () => Promise<App[]>): Promise<PlannedCheck[]> {
  const settings = previewSettings(parent);
  const origin = parent.spec.origin;
  if (!settings || origin?.kind !== 'git' || !git.listRefs) return [];
  const refs = await git.listRefs(origin.url, ['refs/heads/', 'refs/pull/', 'refs/merge-requests/']);
  const tips = new Set(refs.filter((r) => r.ref.startsWith('refs/heads/')).map((r) => r.sha));
  const heads = new Map<number, { sha: string; style: 'pull' | 'merge-requests' }>();
  for (const { ref, sha } of refs) {
    const parsed = parsePullRequestRef(ref);
    if (parsed) heads.set(parsed.number, { sha, style: parsed.style });
  }
  const previews = previewsOf(await listApps(), parent.metadata.name);
  const checks: PlannedCheck[] = [];
  const known = new Set<number>();
  for (const preview of previews) {
    const number = preview.spec.preview!.number;
    known.add(number);
    const head = heads.get(number);
    const serving = preview.status.release?.revision ?? preview.status.run?.revision;
    // Gone (the check deletes it) or moved (the check deploys the head).
    if (!head || head.sha !== serving) checks.push({ number, request: { action: 'open', source: 'poll' } });
  }
  const closed = new Set((parent.status.previews?.closed ?? []).map((c) => c.number));
  let room = (settings.max ?? DEFAULT_MAX_PREVIEWS) - previews.length;
  // Newest pull requests first: with more than fit, the recent ones get previews.
  for (const [number, head] of [...heads].sort((a, b) => b[0] - a[0])) {
    if (room <= 0) break;
    if (known.has(number) || closed.has(number)) continue;
    const fork = !tips.has(head.sha);
    if (fork && !settings.allowForks) continue;
    checks.push({ number, request: { action: 'open', source: 'poll', style: head.style, fork } });
    room -= 1;
  }
  return checks;
}
