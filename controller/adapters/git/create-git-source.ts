/**
 * The git source adapter: resolves revisions with a ref listing and streams a
 * commit's tree as tar.gz, over a guarded HTTP transport (address guard, byte cap,
 * timeout, redirects re-checked) or over SSH with deploy keys (ssh/: the same guard, caps
 * and protocol code, host keys checked strictly). Every stage of the protocol is streamed and capped
 * (docs/git-import.md, "Limits"), and a server-wide number of operations run at once. The archive is held to the upload limits (entries,
 * unpacked bytes, safe symlinks). Wired by controller/main.ts from `config.git` and
 * `config.limits`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidGitUrl, invalidRequest, gitTimeout, unknownRevision, unknownSubdir } from '../../../core/error-cases.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import type { ArchiveRequest, GitSource, ResolvedRevision } from '../../../core/ports/git-source.ts';
import { redactUrl } from '../../../core/redact.ts';
import { createAddressGuard, type HostLookup } from './address-guard.ts';
import { expandPrefix, fetchCommit, listRefs, type Remote } from './fetch-commit.ts';
import { discoverRefs, lsRefs, type Discovery } from './discover-refs.ts';
import { basicAuthHeader, type GitCredentials } from './git-credentials.ts';
import { createGitSlots, type GitSlots } from './git-slots.ts';
import { createGitAgents, createGuardedHttp } from './guarded-http.ts';
import { mapGitError } from './map-git-error.ts';
import { createRemoteMemo } from './remote-memo.ts';
import { matchRevision } from './resolve-revision.ts';
import { findSubtree, parseCommit } from './parse-objects.ts';
import { planArchive, type GitArchiveLimits } from './plan-archive.ts';
import { archiveTree } from './tree-archive.ts';
import { validateGitUrl, validateRevision, validateSubdir, type GitUrl } from '../../../core/git-rules.ts';
import type { GitKeyStore } from '../../../core/ports/git-keys.ts';
import { connectSsh } from './ssh/ssh-connect.ts';
import { createSshGitClient } from './ssh/ssh-git-client.ts';
import { createSshPool } from './ssh/ssh-pool.ts';

/** Settings and seams of {@link createGitSource}. */
export interface GitSourceDeps {
  /** Host names or CIDRs that may resolve to private addresses (SLIPWAY_GIT_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Per-host credentials (see loadGitCredentials). */
  credentials: GitCredentials;
  /** Cap on the bytes received by one resolve or archive (SLIPWAY_GIT_MAX_BYTES). */
  maxBytes: number;
  /** Deadline of one resolve, or of a whole archive: fetch, checks and streaming (SLIPWAY_GIT_TIMEOUT_MS). */
  timeoutMs: number;
  /** Cap on one ref advertisement or ls-refs answer (SLIPWAY_GIT_REFS_MAX_BYTES; default 8 MiB). */
  maxRefsBytes?: number;
  /**
   * Fetches (archives, and the resolves that must fetch to confirm a SHA) that may run
   * at once, server-wide (SLIPWAY_GIT_CONCURRENCY; default 4); the others wait in line,
   * each for at most `timeoutMs`. Plain ref listings (every watch check) have slots of
   * their own, twice as many and at least 8, so polling never waits behind a large
   * import and imports never wait behind polls. An archive holds its fetch slot for
   * the transfer and indexing only, then streams in one of as many streaming slots, so
   * at most twice this many packs are on disk at once.
   */
  concurrency?: number;
  /**
   * Fetches that may wait for a slot before the next is refused with `git_busy`
   * (default: 8 × concurrency, at least 4,096). A waiter holds nothing worth counting
   * (its transfer has not begun), and a burst of webhook deliveries for a thousand moved
   * repositories starts a thousand imports at once: they must queue, not fail.
   */
  maxWaiting?: number;
  /**
   * The caps uploads are held to (`config.limits`): entries and unpacked bytes of the
   * archive; `unpackedBytes` also caps any one object the pack reader inflates.
   */
  limits: GitArchiveLimits;
  /** Where temporary packs are written (a fast disk or tmpfs); removed after each operation. */
  tmpDir: string;
  logger?: Logger;
  /** DNS seam: host → addresses (default: dns.lookup with all: true). */
  lookup?: HostLookup;
  /** How long an SSH connection is kept for reuse after an operation (default 10 s). */
  sshIdleMs?: number;
  /** How long an idle HTTP(S) connection is kept for reuse (default 30 s). */
  httpIdleMs?: number;
  /**
   * How long a repository's v2 advertisement and last resolved tip are reused
   * (remote-memo.ts; default 10 minutes); 0 asks every time.
   */
  memoMs?: number;
  /** gzip level of archives (default 6). */
  gzipLevel?: number;
  /**
   * Deploy keys and trusted host keys for `ssh://` and `git@host:path` URLs (issue 17).
   * Without a store, SSH URLs fail with `invalid_git_url`.
   */
  keys?: GitKeyStore;
}

const FULL_SHA = /^[0-9a-f]{40}$/;
/** The shortest line for a fetch slot (see `maxWaiting`). */
const MIN_FETCHES_WAITING = 4_096;
/** The fewest ref listings that may run at once. */
const MIN_LISTINGS = 8;

/** An operation's deadline joined with the caller's signal, and the error either ends it with. */
interface Deadline {
  signal: AbortSignal;
  error: () => Error;
}

/** Creates the {@link GitSource}. Throws when an allow-list entry is malformed. */
export function createGitSource(deps: GitSourceDeps): GitSource {
  const guard = createAddressGuard({ allowedHosts: deps.allowedHosts, lookup: deps.lookup });
  const concurrency = deps.concurrency ?? 4;
  const maxRefsBytes = deps.maxRefsBytes ?? 8 * 1024 * 1024;
  const fetchSlots = createGitSlots({ limit: concurrency, maxWaiting: deps.maxWaiting ?? Math.max(concurrency * 8, MIN_FETCHES_WAITING), waitMs: deps.timeoutMs });
  const listLimit = Math.max(MIN_LISTINGS, concurrency * 2);
  const listSlots = createGitSlots({ limit: listLimit, maxWaiting: listLimit * 8, waitMs: deps.timeoutMs });
  // An archive gives its fetch slot back once its pack is on disk and indexed, for one of
  // these while its tree is planned and streamed: the next fetch's network time overlaps
  // this one's CPU (issue 12: a slot held 100 ms of network and 40 ms of streaming). Only
  // fetch-slot holders wait here, so at most 2 × concurrency packs are on disk at once.
  const streamSlots = createGitSlots({ limit: concurrency, maxWaiting: concurrency, waitMs: deps.timeoutMs });
  // SSH connections kept 10 s after use, per user@host:port: a poll round over many apps on one host shares them.
  const sshPool = createSshPool({ idleMs: deps.sshIdleMs ?? 10_000 });
  // HTTP(S) connections kept alive per host in the same way (an operation uses one at a time).
  const agents = createGitAgents({ maxSockets: concurrency + listLimit, idleMs: deps.httpIdleMs ?? 30_000 });
  // A check's listing and the import it starts share what the first learned: 3 requests a moved repository, not 6.
  const memo = createRemoteMemo({ ttlMs: deps.memoMs ?? 10 * 60_000 });

  const deadlineFor = (display: string, signal: AbortSignal | undefined): Deadline => {
    const timeout = AbortSignal.timeout(deps.timeoutMs);
    return {
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      error: () => (signal?.aborted ? toError(signal.reason) : gitTimeout(display, deps.timeoutMs)),
    };
  };

  /**
   * Runs `work` in a concurrency slot, with a fresh guarded transport, temp dir and
   * deadline (started once the slot is ours: time spent waiting is not transfer
   * time); maps every failure. With `hold`, the slot and dir outlive the call: the
   * caller releases them when its stream closes. The temp dir is made on first use: a
   * plain ref listing (every poll of a watched app) touches no disk.
   */
  async function operation<T>(url: GitUrl, callerSignal: AbortSignal | undefined, slots: GitSlots, work: (remote: Remote, dir: () => Promise<string>) => Promise<T>, hold = false) {
    const display = redactUrl(url.href);
    if (url.transport === 'ssh' && !deps.keys) {
      throw invalidGitUrl(display, 'SSH repositories need deploy keys, and this server has no key store; use an https:// URL');
    }
    const release = await slots.acquire(callerSignal);
    const deadline = deadlineFor(display, callerSignal);
    const { signal, error: abortError } = deadline;
    let remote: Remote;
    let closeTransport = () => {};
    if (url.transport === 'ssh') {
      const { host, port, user, path } = url;
      const ssh = createSshGitClient({
        connect: () => sshPool.acquire(`${user}@${host}:${port}`, () => connectSsh({ host, port, user: user!, guard, keys: deps.keys!, signal, abortError, display, logger: deps.logger })),
        path: path!, maxBytes: deps.maxBytes, maxRefsBytes, signal, abortError, display, logger: deps.logger,
      });
      closeTransport = () => ssh.close();
      remote = { http: ssh, url: url.href, display, signal, maxObjectBytes: deps.limits.unpackedBytes, maxRefsBytes, logger: deps.logger, headers: {} };
    } else {
      const http = createGuardedHttp({ guard, maxBytes: deps.maxBytes, signal, abortError, displayUrl: url.href, logger: deps.logger, agents });
      const credentials = deps.credentials.forUrl(url.href);
      remote = {
        http, url: url.href, display, signal, maxObjectBytes: deps.limits.unpackedBytes, maxRefsBytes, logger: deps.logger,
        headers: credentials ? { authorization: basicAuthHeader(credentials) } : {},
      };
    }
    let dir: string | undefined;
    const makeDir = async () => (dir ??= await mkdtemp(join(deps.tmpDir, 'slipway-git-')));
    try {
      const result = await work(remote, makeDir);
      return { result, dir, deadline, release };
    } catch (error) {
      hold = false;
      throw signal.aborted ? abortError() : mapGitError(error, display);
    } finally {
      // The pack is on disk once `work` is done: an archive streams without the connection.
      closeTransport();
      if (!hold) {
        if (dir) await rm(dir, { recursive: true, force: true });
        release();
      }
    }
  }

  /**
   * Runs `work` with the repository's v2 advertisement: the remembered one when fresh
   * (no `GET info/refs`), else a new one (remembered when v2). A remembered one that
   * fails the way a remote that stopped speaking v2 fails (`git_unreachable`: an HTTP
   * error status, a refusal, a broken answer) is forgotten and the work runs once more
   * after a fresh discovery, within the same deadline and byte cap.
   */
  async function withDiscovery<T>(remote: Remote, work: (discovery: Discovery) => Promise<T>): Promise<T> {
    const remembered = memo.discovery(remote.url);
    if (remembered) {
      try {
        return await work(remembered);
      } catch (error) {
        if (remote.signal.aborted || (error as { code?: string }).code !== 'git_unreachable') throw error;
        memo.forget(remote.url);
        remote.logger?.debug({ url: remote.display }, 'git request on a remembered v2 advertisement failed; asking for a new one');
      }
    }
    const found = await discoverRefs(remote);
    memo.rememberDiscovery(remote.url, found);
    return work(found);
  }

  /** Runs a resolve's fetch in a fetch slot (the listing's slot is held meanwhile; nothing holding a fetch slot waits for a listing one). */
  async function fetching<T>(remote: Remote, work: () => Promise<T>): Promise<T> {
    const release = await fetchSlots.acquire(remote.signal);
    try {
      return await work();
    } finally {
      release();
    }
  }

  return {
    // Preview apps (issue 15): one listing of the pull request refs per poll of an app.
    async listRefs(rawUrl, prefixes, options = {}) {
      const url = validateGitUrl(rawUrl);
      const { result } = await operation(url, options.signal, listSlots, async (remote) => {
        const refs = await withDiscovery(remote, async (found) => (found.protocolVersion === 1 ? found.refs : lsRefs(remote, prefixes)));
        return refs.filter((r) => prefixes.some((p) => r.ref.startsWith(p))).map((r) => ({ ref: r.ref, sha: r.peeled ?? r.oid }));
      });
      return result;
    },

    async resolve(rawUrl, revision, options = {}) {
      const rev = validateRevision(revision);
      const url = validateGitUrl(rawUrl);
      const display = redactUrl(url.href);
      // The full SHA a watch check resolved moments ago, now imported by the run it started: no listing needed.
      if (FULL_SHA.test(rev.toLowerCase()) && memo.wasTip(url.href, rev.toLowerCase())) {
        deps.logger?.debug({ url: display, revision: rev }, 'git revision is a tip resolved lately');
        return { sha: rev.toLowerCase() };
      }
      const { result } = await operation(url, options.signal, listSlots, async (remote, dir): Promise<ResolvedRevision> => {
        const match = matchRevision(await withDiscovery(remote, (found) => listRefs(remote, rev, found)), rev);
        if (match.kind === 'resolved') {
          if (!FULL_SHA.test(rev.toLowerCase())) memo.rememberTip(url.href, match.resolved.sha);
          return match.resolved;
        }
        if (match.kind === 'sha') {
          const pack = await fetching(remote, async () => withDiscovery(remote, async (found) => fetchCommit(remote, match.sha, await dir(), found)));
          pack?.close();
          if (pack) return { sha: match.sha };
        } else if (match.kind === 'prefix') {
          const found = await fetching(remote, async () => withDiscovery(remote, async (info) => expandPrefix(remote, match.prefix, await dir(), info)));
          if (found.length === 1) return { sha: found[0]! };
          if (found.length > 1) throw invalidRequest(`short SHA "${rev}" is ambiguous; give more digits`, { field: 'gitrev' });
        } else if (match.kind === 'ambiguous') {
          throw invalidRequest(`short SHA "${rev}" is ambiguous; give more digits`, { field: 'gitrev' });
        }
        throw unknownRevision(redactUrl(rawUrl), rev || 'HEAD');
      });
      // Debug: a watch check is a resolve, and 10,000 watched apps make 167 a second.
      deps.logger?.debug({ url: display, revision: rev, sha: result.sha, branch: result.branch }, 'git revision resolved');
      return result;
    },

    async archive(request: ArchiveRequest): Promise<Readable> {
      const subdir = validateSubdir(request.subdir);
      const sha = request.resolved.sha.toLowerCase();
      if (!/^[0-9a-f]{40}$/.test(sha)) throw invalidRequest('archive needs a resolved 40-hex commit SHA', { field: 'revision' });
      const url = validateGitUrl(request.url);
      const display = redactUrl(url.href);
      // One deadline for the whole archive: a repository that is quick to fetch but
      // slow to stream (or a consumer that stalls) must not hold the import (or its slot) forever.
      const { result: { pack, entries, time, streaming }, dir, deadline, release } = await operation(url, request.signal, fetchSlots, async (remote, dir) => {
        const pack = await withDiscovery(remote, async (found) => fetchCommit(remote, sha, await dir(), found));
        if (!pack) throw unknownRevision(redactUrl(request.url), sha);
        let streaming: (() => void) | undefined;
        try {
          streaming = await streamSlots.acquire(remote.signal);
          const commit = parseCommit(pack.read(sha)!.data);
          const tree = findSubtree(pack, commit.tree, subdir);
          if (!tree) throw unknownSubdir(subdir, sha);
          const entries = await planArchive({ pack, tree, limits: deps.limits, signal: remote.signal });
          return { pack, entries, time: commit.time, streaming };
        } catch (error) {
          pack.close();
          streaming?.();
          throw error;
        }
      }, true);
      // The transfer is over: the next fetch may start while this archive streams (see `streamSlots`).
      release();
      const stream = archiveTree({ pack, entries, mtime: new Date(time * 1000), gzipLevel: deps.gzipLevel });
      const onDeadline = () => stream.destroy(deadline.error());
      const cleanup = once(() => {
        deadline.signal.removeEventListener('abort', onDeadline);
        pack.close();
        rm(dir!, { recursive: true, force: true }).catch(() => {}).finally(streaming);
      });
      stream.on('close', cleanup);
      stream.on('error', (error) => deps.logger?.warn({ url: display, sha, code: (error as { code?: string }).code }, 'git archive stream failed'));
      if (deadline.signal.aborted) onDeadline();
      else deadline.signal.addEventListener('abort', onDeadline, { once: true });
      deps.logger?.info({ url: display, sha, subdir: subdir || undefined, objects: pack.size, entries: entries.length }, 'git archive streaming');
      return stream;
    },
  };
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
