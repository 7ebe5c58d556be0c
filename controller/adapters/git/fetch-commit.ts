/**
 * Gets a commit's objects into an indexed pack with as little transfer as the server
 * allows: first `want <sha>` with depth 1 (served for any reachable commit by
 * protocol v2, and for ref tips by v0/v1); when the server refuses that want, every
 * branch and tag tip's full history, in which the commit must then be found. A pack
 * that lacks the commit is never trusted: the commit is always looked up in it.
 */
import { join } from 'node:path';
import type { Logger } from '../../../core/ports/logger.ts';
import type { GitAuth } from './git-credentials.ts';
import { fetchPack, WantRefusedError } from './fetch-pack.ts';
import type { GitHttpClient } from './guarded-http.ts';
import { indexPack, type PackIndex } from './pack-index.ts';
import type { ServerRef } from './resolve-revision.ts';

/** isomorphic-git, loaded on first use: a server that never imports from git does not carry it (~15 MB). */
const loadGit = async () => (await import('isomorphic-git')).default;

/** A remote as seen by one operation. */
export interface Remote {
  http: GitHttpClient;
  url: string;
  /** Authorization header for our own requests, when credentials apply. */
  headers: Record<string, string>;
  auth: () => GitAuth | undefined;
  signal: AbortSignal;
  /** Largest object the pack reader may inflate (see indexPack). */
  maxObjectBytes: number;
  logger?: Logger;
}

/** The ref listing (protocol v2 ls-refs with symrefs and peeled tags; v0/v1 advertisement otherwise). */
export async function listRefs(remote: Remote): Promise<ServerRef[]> {
  return await (await loadGit()).listServerRefs({
    http: remote.http, url: remote.url, protocolVersion: 2, symrefs: true, peelTags: true,
    onAuth: () => remote.auth(),
    onAuthFailure: () => ({ cancel: true }),
  }) as ServerRef[];
}

/**
 * Fetches `sha` into `dir/<n>.pack` and indexes it. Returns the index (whose owner
 * must close it), or undefined when the remote does not hold that commit.
 */
export async function fetchCommit(remote: Remote, sha: string, dir: string): Promise<PackIndex | undefined> {
  const info = await (await loadGit()).getRemoteInfo2({
    http: remote.http, url: remote.url, protocolVersion: 2,
    onAuth: () => remote.auth(),
    onAuthFailure: () => ({ cancel: true }),
  });
  const protocolVersion = info.protocolVersion === 2 ? 2 : 1;
  const capabilities = new Set(Object.keys(info.capabilities));
  const fetchInto = async (name: string, wants: string[], depth?: number) => {
    const packPath = join(dir, `${name}.pack`);
    await fetchPack({ http: remote.http, url: remote.url, wants, depth, protocolVersion, capabilities, headers: remote.headers, packPath, logger: remote.logger });
    return indexPack(packPath, { signal: remote.signal, maxObjectBytes: remote.maxObjectBytes });
  };
  const confirm = (pack: PackIndex) => {
    if (pack.read(sha)?.type === 'commit') return pack;
    pack.close();
    return undefined;
  };

  try {
    const found = confirm(await fetchInto('shallow', [sha], 1));
    if (found) return found;
  } catch (error) {
    if (!(error instanceof WantRefusedError)) throw error;
  }
  const tips = await tipCommits(remote);
  if (tips.length === 0) return undefined;
  return confirm(await fetchInto('history', tips));
}

/**
 * Fetches the history of every branch and tag tip (commits, trees and blobs; bounded
 * by the operation's byte cap) to expand a short SHA. Returns the commit IDs starting
 * with `prefix`.
 */
export async function expandPrefix(remote: Remote, prefix: string, dir: string): Promise<string[]> {
  const tips = await tipCommits(remote);
  if (tips.length === 0) return [];
  const info = await (await loadGit()).getRemoteInfo2({
    http: remote.http, url: remote.url, protocolVersion: 2,
    onAuth: () => remote.auth(),
    onAuthFailure: () => ({ cancel: true }),
  });
  const packPath = join(dir, 'expand.pack');
  await fetchPack({
    http: remote.http, url: remote.url, wants: tips,
    protocolVersion: info.protocolVersion === 2 ? 2 : 1,
    capabilities: new Set(Object.keys(info.capabilities)), headers: remote.headers, packPath, logger: remote.logger,
  });
  const pack = await indexPack(packPath, { signal: remote.signal, maxObjectBytes: remote.maxObjectBytes });
  try {
    return pack.oidsOfType('commit').filter((oid) => oid.startsWith(prefix));
  } finally {
    pack.close();
  }
}

async function tipCommits(remote: Remote): Promise<string[]> {
  const refs = await listRefs(remote);
  const tips = refs
    .filter((r) => r.ref.startsWith('refs/heads/') || r.ref.startsWith('refs/tags/'))
    .map((r) => r.peeled ?? r.oid);
  return [...new Set(tips)];
}
