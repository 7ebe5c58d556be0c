/**
 * What one operation on a repository learned that the next one may reuse, kept a
 * while per repository URL (issue 12: a burst of 1,000 moved repositories made 4
 * requests each, 6 with the import's own resolve). Two facts, both safe to reuse:
 *
 * - The repository speaks protocol v2 (its `GET info/refs` advertisement). A v2
 *   advertisement holds no refs, and Slipway's v2 requests use none of its
 *   capabilities, so a later ls-refs or fetch may go straight to `POST git-upload-pack`
 *   (the requests are stateless; redirects are followed per request). When such a
 *   request fails as if the remote no longer spoke v2, the caller forgets the entry and
 *   asks again (see `withDiscovery` in create-git-source.ts). v0/v1 advertisements carry
 *   the refs themselves and are never kept.
 * - The commit a branch (or HEAD, or a tag) resolved to. The run a watch check starts
 *   imports that full SHA; resolving it again would list the refs only to find it is a
 *   tip. A commit ID names the same commit forever and the archive's fetch confirms
 *   the remote still has it, so "it was a tip a while ago" is all the import needs.
 *
 * Bounded: the oldest entries go first past `maxEntries`, and an entry is ignored once
 * `ttlMs` old.
 */
import type { Discovery } from './discover-refs.ts';

/** Options of {@link createRemoteMemo}. */
export interface RemoteMemoOptions {
  /** How long an entry is trusted (default 10 minutes: longer than the default poll interval). */
  ttlMs?: number;
  /** Most repositories remembered (default 16,384). */
  maxEntries?: number;
  /** Clock seam (ms). */
  now?: () => number;
}

/** Per-repository memo of a v2 advertisement and the last tip a revision resolved to. */
export interface RemoteMemo {
  /** The v2 advertisement seen for `url`, if it is fresh. */
  discovery(url: string): Discovery | undefined;
  /** Keeps a v2 advertisement (a v0/v1 one is ignored: it carries refs that go stale). */
  rememberDiscovery(url: string, discovery: Discovery): void;
  /** Whether `sha` (40 lower-case hex) is what a revision of `url` resolved to lately. */
  wasTip(url: string, sha: string): boolean;
  rememberTip(url: string, sha: string): void;
  forget(url: string): void;
}

interface Entry {
  discovery?: Discovery;
  discoveredAt: number;
  tips: string[];
  tipsAt: number;
}

/** At most this many tips per repository (a watched branch and, say, the default branch). */
const TIPS = 2;

/** Creates an empty {@link RemoteMemo}. */
export function createRemoteMemo(options: RemoteMemoOptions = {}): RemoteMemo {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const maxEntries = options.maxEntries ?? 16_384;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // 10,000 repositories on one forge advertise the same few capability sets: share them.
  const shared = new Map<string, Discovery>();

  const touch = (url: string): Entry => {
    const entry = entries.get(url) ?? { discoveredAt: -Infinity, tips: [], tipsAt: -Infinity };
    entries.delete(url);
    entries.set(url, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return entry;
  };

  return {
    discovery(url) {
      const entry = entries.get(url);
      return entry?.discovery && now() - entry.discoveredAt < ttlMs ? entry.discovery : undefined;
    },
    rememberDiscovery(url, discovery) {
      if (discovery.protocolVersion !== 2) return;
      const key = [...discovery.capabilities].sort().join(' ');
      let kept = shared.get(key);
      if (!kept) {
        kept = { protocolVersion: 2, capabilities: new Set(discovery.capabilities), refs: [] };
        if (shared.size < 64) shared.set(key, kept);
      }
      const entry = touch(url);
      entry.discovery = kept;
      entry.discoveredAt = now();
    },
    wasTip(url, sha) {
      const entry = entries.get(url);
      return !!entry && now() - entry.tipsAt < ttlMs && entry.tips.includes(sha);
    },
    rememberTip(url, sha) {
      const entry = touch(url);
      entry.tips = [sha, ...entry.tips.filter((t) => t !== sha)].slice(0, TIPS);
      entry.tipsAt = now();
    },
    forget(url) {
      entries.delete(url);
    },
  };
}
