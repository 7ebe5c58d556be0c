/**
 * The git source adapter: resolves revisions with a ref listing and streams a
 * commit's tree as tar.gz, over a guarded HTTP transport (address guard, byte cap,
 * timeout, redirects re-checked). Wired by controller/main.ts from `config.git`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidRequest, gitTimeout, unknownRevision, unknownSubdir } from '../../../core/error-cases.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import type { ArchiveRequest, GitSource, ResolvedRevision } from '../../../core/ports/git-source.ts';
import { redactUrl } from '../../../core/redact.ts';
import { createAddressGuard, type HostLookup } from './address-guard.ts';
import { expandPrefix, fetchCommit, listRefs, type Remote } from './fetch-commit.ts';
import { basicAuthHeader, type GitCredentials } from './git-credentials.ts';
import { createGuardedHttp } from './guarded-http.ts';
import { mapGitError } from './map-git-error.ts';
import { matchRevision } from './resolve-revision.ts';
import { archiveTree, findSubtree, parseCommit } from './tree-archive.ts';
import { validateGitUrl, validateRevision, validateSubdir } from '../../../core/git-rules.ts';

/** Settings and seams of {@link createGitSource}. */
export interface GitSourceDeps {
  /** Host names or CIDRs that may resolve to private addresses (SLIPWAY_GIT_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Per-host credentials (see loadGitCredentials). */
  credentials: GitCredentials;
  /** Cap on the bytes received by one resolve or archive (SLIPWAY_GIT_MAX_BYTES). */
  maxBytes: number;
  /** Deadline of one resolve, or of an archive's fetch (SLIPWAY_GIT_TIMEOUT_MS). */
  timeoutMs: number;
  /** Where temporary packs are written (a fast disk or tmpfs); removed after each operation. */
  tmpDir: string;
  logger?: Logger;
  /** DNS seam: host → addresses (default: dns.lookup with all: true). */
  lookup?: HostLookup;
  /** gzip level of archives (default 6). */
  gzipLevel?: number;
}

/** Creates the {@link GitSource}. Throws when an allow-list entry is malformed. */
export function createGitSource(deps: GitSourceDeps): GitSource {
  const guard = createAddressGuard({ allowedHosts: deps.allowedHosts, lookup: deps.lookup });

  /** Runs `work` with a fresh guarded transport, deadline and temp dir; maps every failure. */
  async function operation<T>(rawUrl: string, signal: AbortSignal | undefined, work: (remote: Remote, dir: string) => Promise<T>, keepDir = false) {
    const url = validateGitUrl(rawUrl);
    const display = redactUrl(url.href);
    const deadline = AbortSignal.timeout(deps.timeoutMs);
    const combined = signal ? AbortSignal.any([deadline, signal]) : deadline;
    const abortError = () => (signal?.aborted ? toError(signal.reason) : gitTimeout(display, deps.timeoutMs));
    const http = createGuardedHttp({ guard, maxBytes: deps.maxBytes, signal: combined, abortError, displayUrl: url.href, logger: deps.logger });
    const auth = () => deps.credentials.forUrl(url.href);
    const credentials = auth();
    const remote: Remote = {
      http, url: url.href, auth, signal: combined,
      headers: credentials ? { authorization: basicAuthHeader(credentials) } : {},
    };
    const dir = await mkdtemp(join(deps.tmpDir, 'slipway-git-'));
    try {
      const result = await work(remote, dir);
      return { result, dir, display };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw combined.aborted ? abortError() : mapGitError(error, display);
    } finally {
      if (!keepDir) await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    async resolve(url, revision, options = {}) {
      const rev = validateRevision(revision);
      const { result, display } = await operation(url, options.signal, async (remote, dir): Promise<ResolvedRevision> => {
        const match = matchRevision(await listRefs(remote), rev);
        if (match.kind === 'resolved') return match.resolved;
        if (match.kind === 'sha') {
          const pack = await fetchCommit(remote, match.sha, dir);
          pack?.close();
          if (pack) return { sha: match.sha };
        } else if (match.kind === 'prefix') {
          const found = await expandPrefix(remote, match.prefix, dir);
          if (found.length === 1) return { sha: found[0]! };
          if (found.length > 1) throw invalidRequest(`short SHA "${rev}" is ambiguous; give more digits`, { field: 'gitrev' });
        } else if (match.kind === 'ambiguous') {
          throw invalidRequest(`short SHA "${rev}" is ambiguous; give more digits`, { field: 'gitrev' });
        }
        throw unknownRevision(redactUrl(url), rev || 'HEAD');
      });
      deps.logger?.info({ url: display, revision: rev, sha: result.sha, branch: result.branch }, 'git revision resolved');
      return result;
    },

    async archive(request: ArchiveRequest): Promise<Readable> {
      const subdir = validateSubdir(request.subdir);
      const sha = request.resolved.sha.toLowerCase();
      if (!/^[0-9a-f]{40}$/.test(sha)) throw invalidRequest('archive needs a resolved 40-hex commit SHA', { field: 'revision' });
      const { result: { pack, tree, time }, dir, display } = await operation(request.url, request.signal, async (remote, dir) => {
        const pack = await fetchCommit(remote, sha, dir);
        if (!pack) throw unknownRevision(redactUrl(request.url), sha);
        try {
          const commit = parseCommit(pack.read(sha)!.data);
          const tree = findSubtree(pack, commit.tree, subdir);
          if (!tree) throw unknownSubdir(subdir, sha);
          return { pack, tree, time: commit.time };
        } catch (error) {
          pack.close();
          throw error;
        }
      }, true);
      const stream = archiveTree({ pack, tree, mtime: new Date(time * 1000), gzipLevel: deps.gzipLevel });
      const cleanup = once(() => {
        pack.close();
        rm(dir, { recursive: true, force: true }).catch(() => {});
      });
      stream.on('close', cleanup);
      stream.on('error', (error) => deps.logger?.warn({ url: display, sha, code: (error as { code?: string }).code }, 'git archive stream failed'));
      request.signal?.addEventListener('abort', () => stream.destroy(toError(request.signal?.reason)), { once: true });
      deps.logger?.info({ url: display, sha, subdir: subdir || undefined, objects: pack.size }, 'git archive streaming');
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
