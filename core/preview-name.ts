/**
 * Preview apps are named `<app>-pr-<number>` (issue 15), which is also the first label
 * of their route `<app>-pr-<number>.<domain>`. Names are DNS labels of at most 63
 * characters, so a long parent name is cut and a short hash of the whole parent name
 * keeps two long parents with the same first characters apart.
 */
import { createHash } from 'node:crypto';
import { MAX_NAME_LENGTH } from './names.ts';

/** The preview app's name for pull request `number` of `parent`. */
export function previewName(parent: string, number: number): string {
  const suffix = `-pr-${number}`;
  const full = `${parent}${suffix}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(parent).digest('hex').slice(0, 6);
  const room = MAX_NAME_LENGTH - suffix.length - hash.length - 1;
  const head = parent.slice(0, room).replace(/-+$/, '');
  return `${head}-${hash}${suffix}`;
}

/** The ref a pull request's head is read from: GitLab's merge requests, or GitHub's and Gitea's pull requests. */
export function pullRequestRef(style: 'pull' | 'merge-requests', number: number): string {
  return `refs/${style}/${number}/head`;
}

/** The number and ref style of a `refs/pull/N/head` or `refs/merge-requests/N/head` ref, or undefined. */
export function parsePullRequestRef(ref: string): { style: 'pull' | 'merge-requests'; number: number } | undefined {
  const match = /^refs\/(pull|merge-requests)\/([1-9]\d{0,9})\/head$/.exec(ref);
  if (!match) return undefined;
  return { style: match[1] as 'pull' | 'merge-requests', number: Number(match[2]) };
}
