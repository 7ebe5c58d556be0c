/**
 * Matches a user's revision against a remote's ref listing (protocol v2 `ls-refs`
 * with symrefs and peeled tags), so most revisions resolve without any fetch.
 */
import type { ResolvedRevision } from '../../../core/ports/git-source.ts';

/** One advertised ref, as discover-refs.ts reads it. */
export interface ServerRef {
  ref: string;
  oid: string;
  /** Symref target (HEAD → refs/heads/main). */
  target?: string;
  /** For an annotated tag: the commit it points to. */
  peeled?: string;
}

/** What the listing tells about a revision. */
export type RevisionMatch =
  | { kind: 'resolved'; resolved: ResolvedRevision }
  /** A full SHA that is no ref tip: it must be fetched to be confirmed. */
  | { kind: 'sha'; sha: string }
  /** A short SHA that is no ref tip's prefix: history must be fetched to expand it. */
  | { kind: 'prefix'; prefix: string }
  | { kind: 'unknown' }
  /** A short SHA that matches several tips. */
  | { kind: 'ambiguous' };

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{4,39}$/;

/**
 * Empty → the default branch (HEAD's symref target); a name → `refs/heads/<name>`,
 * then `refs/tags/<name>` (peeled to the commit), or a full ref name as given; a
 * 40-hex SHA → itself; 4–39 hex → the one tip commit it prefixes. Names win over
 * SHA-looking strings, as in git.
 */
export function matchRevision(refs: ServerRef[], revision: string): RevisionMatch {
  const byName = new Map(refs.map((r) => [r.ref, r]));
  const commitOf = (r: ServerRef) => r.peeled ?? r.oid;
  const branch = (r: ServerRef): RevisionMatch => ({
    kind: 'resolved',
    resolved: { sha: commitOf(r), branch: r.ref.slice('refs/heads/'.length), ref: r.ref },
  });

  if (revision === '') {
    const head = byName.get('HEAD');
    if (!head) return { kind: 'unknown' };
    const target = head.target ?? refs.find((r) => r.ref.startsWith('refs/heads/') && r.oid === head.oid)?.ref;
    if (target?.startsWith('refs/heads/')) return branch({ ...head, ref: target });
    return { kind: 'resolved', resolved: { sha: head.oid } };
  }

  for (const name of [revision, `refs/heads/${revision}`, `refs/tags/${revision}`]) {
    const found = byName.get(name);
    if (!found || !name.startsWith('refs/')) continue;
    if (name.startsWith('refs/heads/')) return branch(found);
    return { kind: 'resolved', resolved: { sha: commitOf(found), ref: name } };
  }

  const lower = revision.toLowerCase();
  if (FULL_SHA.test(lower)) {
    const tip = refs.some((r) => commitOf(r) === lower);
    return tip ? { kind: 'resolved', resolved: { sha: lower } } : { kind: 'sha', sha: lower };
  }
  if (SHORT_SHA.test(lower)) {
    const matches = new Set(refs.map(commitOf).filter((oid) => oid.startsWith(lower)));
    if (matches.size === 1) return { kind: 'resolved', resolved: { sha: [...matches][0]! } };
    if (matches.size > 1) return { kind: 'ambiguous' };
    return { kind: 'prefix', prefix: lower };
  }
  return { kind: 'unknown' };
}
