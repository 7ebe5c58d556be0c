/**
 * The watcher's in-memory index of watched apps, by key (`namespace/app`) and by
 * normalised repository URL, so a webhook hint finds its apps without reading the store.
 */
import type { App } from '../../core/types.ts';
import { normaliseRepoUrl } from '../../core/repo-url.ts';
import { parseInterval, DEFAULT_INTERVAL_MS } from './parse-interval.ts';

/** One watched app and its poll schedule. */
export interface WatchedApp {
  namespace: string;
  name: string;
  url: string;
  /** {@link normaliseRepoUrl} of `url`. */
  repo: string;
  /** The branch followed; empty until the first check learns the default branch. */
  branch: string;
  intervalMs: number;
  /** Epoch ms of the next poll (Infinity while a poll is under way). */
  nextAt: number;
  /** Consecutive failed checks. */
  failures: number;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * What the watcher follows for `app`, or undefined when it is not watched: a git
 * origin with `watch` on, a URL that normalises, and a branch (a 40-hex SHA never moves).
 * An interval that does not parse falls back to the default (the API validates it).
 */
export function watchTarget(app: App, minIntervalMs: number): Pick<WatchedApp, 'url' | 'repo' | 'branch' | 'intervalMs'> | undefined {
  const origin = app.spec.origin;
  if (origin?.kind !== 'git' || origin.watch !== true) return undefined;
  const repo = normaliseRepoUrl(origin.url);
  const branch = origin.branch ?? origin.revision ?? '';
  if (!repo || FULL_SHA.test(branch)) return undefined;
  let intervalMs: number;
  try {
    intervalMs = parseInterval(origin.interval, minIntervalMs);
  } catch {
    intervalMs = Math.max(DEFAULT_INTERVAL_MS, minIntervalMs);
  }
  return { url: origin.url, repo, branch, intervalMs };
}

/** Creates an empty index. */
export function createWatchIndex() {
  const entries = new Map<string, WatchedApp>();
  const byRepo = new Map<string, Set<string>>();

  function remove(key: string): WatchedApp | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    entries.delete(key);
    const keys = byRepo.get(entry.repo);
    keys?.delete(key);
    if (keys?.size === 0) byRepo.delete(entry.repo);
    return entry;
  }

  return {
    get: (key: string) => entries.get(key),
    remove,
    /** Adds or replaces the entry of `namespace/name`. */
    set(entry: WatchedApp): void {
      const key = `${entry.namespace}/${entry.name}`;
      remove(key);
      entries.set(key, entry);
      const keys = byRepo.get(entry.repo) ?? new Set<string>();
      keys.add(key);
      byRepo.set(entry.repo, keys);
    },
    /** Keys of the apps following `branch` of any of `repos` (already normalised). */
    match(repos: Iterable<string>, branch: string): string[] {
      const found = new Set<string>();
      for (const repo of repos) {
        for (const key of byRepo.get(repo) ?? []) {
          if (entries.get(key)?.branch === branch) found.add(key);
        }
      }
      return [...found];
    },
    /** Keys of the apps watching any branch of any of `repos` (already normalised). */
    ofRepos(repos: Iterable<string>): string[] {
      const found = new Set<string>();
      for (const repo of repos) for (const key of byRepo.get(repo) ?? []) found.add(key);
      return [...found];
    },
    values: () => entries.values(),
    get size() {
      return entries.size;
    },
    clear(): void {
      entries.clear();
      byRepo.clear();
    },
  };
}

/** The index's type. */
export type WatchIndex = ReturnType<typeof createWatchIndex>;
