/**
 * Gets a commit's objects into an indexed pack with as little transfer as the server
 * allows: first `want <sha>` with depth 1 (served for any reachable commit by
 * protocol v2, and for ref tips by v0/v1); when the server refuses that want, every
 * branch and tag tip's full history, in which the commit must then be found. A pack
 * that lacks the commit is never trusted: the commit is always looked up in it.
 */
import { join } from 'node:path';
import { discoverRefs, lsRefs, type Discovery } from './discover-refs.ts';
import { fetchPack, WantRefusedError } from './fetch-pack.ts';
import type { Remote } from './git-remote.ts';
import { indexPack, type PackIndex } from './pack-index.ts';
import type { ServerRef } from './resolve-revision.ts';

export type { Remote } from './git-remote.ts';

/**
 * The refs a revision can name: HEAD, branches and tags, plus `revision` itself when
 * it is a full ref name (`refs/pull/1/head`). Protocol v2 servers filter by these
 * prefixes; v0/v1 servers advertise everything (held to SLIPWAY_GIT_REFS_MAX_BYTES).
 */
export async function listRefs(remote: Remote, revision = '', discovery?: Discovery): Promise<ServerRef[]> {
  const found = discovery ?? await discoverRefs(remote);
  if (found.protocolVersion === 1) return found.refs;
  const prefixes = ['HEAD', 'refs/heads/', 'refs/tags/', ...(revision.startsWith('refs/') ? [revision] : [])];
  return lsRefs(remote, prefixes);
}

/**
 * Fetches `sha` into `dir/<n>.pack` and indexes it. Returns the index (whose owner
 * must close it), or undefined when the remote does not hold that commit. With
 * `discovery` (a v2 advertisement seen lately, remote-memo.ts) the fetch is one request.
 */
export async function fetchCommit(remote: Remote, sha: string, dir: string, discovery?: Discovery): Promise<PackIndex | undefined> {
  const info = discovery ?? await discoverRefs(remote);
  const protocolVersion = info.protocolVersion;
  const capabilities = info.capabilities;
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
  const tips = await tipCommits(remote, info);
  if (tips.length === 0) return undefined;
  return confirm(await fetchInto('history', tips));
}

/**
 * Fetches the history of every branch and tag tip (commits, trees and blobs; bounded
 * by the operation's byte cap) to expand a short SHA. Returns the commit IDs starting
 * with `prefix`.
 */
export async function expandPrefix(remote: Remote, prefix: string, dir: string, discovery?: Discovery): Promise<string[]> {
  const info = discovery ?? await discoverRefs(remote);
  const tips = await tipCommits(remote, info);
  if (tips.length === 0) return [];
  const packPath = join(dir, 'expand.pack');
  await fetchPack({
    http: remote.http, url: remote.url, wants: tips, protocolVersion: info.protocolVersion,
    capabilities: info.capabilities, headers: remote.headers, packPath, logger: remote.logger,
  });
  const pack = await indexPack(packPath, { signal: remote.signal, maxObjectBytes: remote.maxObjectBytes });
  try {
    return pack.oidsOfType('commit').filter((oid) => oid.startsWith(prefix));
  } finally {
    pack.close();
  }
}

async function tipCommits(remote: Remote, discovery: Discovery): Promise<string[]> {
  const refs = await listRefs(remote, '', discovery);
  const tips = refs
    .filter((r) => r.ref.startsWith('refs/heads/') || r.ref.startsWith('refs/tags/'))
    .map((r) => r.peeled ?? r.oid);
  return [...new Set(tips)];
}
