/**
 * Issue 9, "remote crash through git import": a remote that misbehaves at any stage
 * of the protocol — ref advertisement, ls-refs, negotiation, side-band data or
 * progress, or silence — ends the operation with 413 `git_too_large`, 408
 * `git_timeout` or 424 `git_unreachable` (a short answer that breaks the protocol), never with buffering
 * until the operation's byte cap or an `unknown_revision`.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitSource, type GitSourceDeps } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { isSlipwayError, type SlipwayError } from '../../../core/errors.ts';
import { startHostileGitServer, type HostileMode } from '../../helpers/hostile-git-server.ts';

let root: string;
test.before(async () => { root = await mkdtemp(join(tmpdir(), 'slipway-git-hostile-')); });
test.after.always(async () => { await rm(root, { recursive: true, force: true }); });

const MAX_BYTES = 64 * 1024 * 1024;
const REFS_BYTES = 256 * 1024;
const deps = (overrides: Partial<GitSourceDeps> = {}): GitSourceDeps => ({
  allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: MAX_BYTES, maxRefsBytes: REFS_BYTES, timeoutMs: 60_000,
  tmpDir: root, limits: { archiveEntries: 1000, unpackedBytes: 1 << 30 }, ...overrides,
});

interface Expected { code: string; status: number; part?: string; timeoutMs?: number; maxBytes?: number }

const answers = test.macro(async (t, mode: HostileMode, expected: Expected) => {
  const remote = await startHostileGitServer(mode);
  t.teardown(remote.close);
  const source = createGitSource(deps({ timeoutMs: expected.timeoutMs ?? 60_000, maxBytes: expected.maxBytes ?? MAX_BYTES }));
  const error = await t.throwsAsync(source.resolve(remote.url, 'main').then(() => source.archive({ url: remote.url, resolved: { sha: remote.sha } })));
  t.true(isSlipwayError(error), String(error));
  const { code, status, data } = error as SlipwayError;
  t.deepEqual({ code, status, part: data.part }, { code: expected.code, status: expected.status, part: expected.part });
  // A stage cap stops reading at once: the remote got nowhere near the operation's cap.
  if (expected.part) t.true(remote.sent() < MAX_BYTES / 4, `read ${remote.sent()} bytes`);
});

test('ls-refs answered with NAK and endless side-band data stops at SLIPWAY_GIT_REFS_MAX_BYTES (the exact case of issue 9)', answers, 'v2-endless-listing', { code: 'git_too_large', status: 413, part: 'a ref listing' });
test('an endless ref advertisement stops at SLIPWAY_GIT_REFS_MAX_BYTES', answers, 'endless-refs', { code: 'git_too_large', status: 413, part: 'a ref advertisement' });
test('a ref advertisement that is one endless line of garbage stops at SLIPWAY_GIT_REFS_MAX_BYTES', answers, 'endless-ref-line', { code: 'git_too_large', status: 413, part: 'a ref advertisement' });
test('endless negotiation before the pack stops at its cap', answers, 'endless-negotiation', { code: 'git_too_large', status: 413, part: 'a negotiation' });
test('endless side-band progress stops at its cap (v0/v1)', answers, 'endless-progress', { code: 'git_too_large', status: 413, part: 'progress messages' });
test('endless side-band progress stops at its cap (v2)', answers, 'v2-endless-progress', { code: 'git_too_large', status: 413, part: 'progress messages' });
test('endless short progress lines stop at the same cap', answers, 'endless-progress-line', { code: 'git_too_large', status: 413, part: 'progress messages' });
test('an endless pack stops at SLIPWAY_GIT_MAX_BYTES', answers, 'endless-pack-band', { code: 'git_too_large', status: 413, maxBytes: 4 * 1024 * 1024 });
test('a pkt-line length that is not hex is a protocol error', answers, 'bad-length', { code: 'git_unreachable', status: 424 });
test('a ref advertisement that never comes is git_timeout', answers, 'stall-refs', { code: 'git_timeout', status: 408, timeoutMs: 1500 });
test('a fetch answer that never comes is git_timeout', answers, 'stall-fetch', { code: 'git_timeout', status: 408, timeoutMs: 1500 });
test('a packet announced and never completed is git_timeout', answers, 'partial-packet', { code: 'git_timeout', status: 408, timeoutMs: 1500 });

test('fetches beyond SLIPWAY_GIT_CONCURRENCY wait in a bounded line; past it, git_busy at once', async (t) => {
  const remote = await startHostileGitServer('stall-refs');
  t.teardown(remote.close);
  const source = createGitSource(deps({ concurrency: 1, maxWaiting: 8 }));
  const abort = new AbortController();
  // One runs (and stalls), eight wait: the line holds `maxWaiting` fetches.
  const sha = remote.sha;
  const held = Array.from({ length: 9 }, () => source.archive({ url: remote.url, resolved: { sha }, signal: abort.signal }).catch((error: unknown) => error));
  const refused = await t.throwsAsync(source.archive({ url: remote.url, resolved: { sha }, signal: abort.signal }));
  t.true(isSlipwayError(refused, 'git_busy'), String(refused));
  t.is((refused as SlipwayError).status, 503);
  abort.abort(new Error('test over'));
  for (const outcome of await Promise.all(held)) t.false(isSlipwayError(outcome, 'git_busy'));
});
