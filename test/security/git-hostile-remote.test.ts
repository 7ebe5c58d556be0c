/**
 * Issue 9, "remote crash through git import", replayed against the real `slipway
 * server` process: hostile remotes flood or stall every stage of the git protocol,
 * four imports at once, through the API. Each answer is the stage's error code, the
 * server keeps answering, and its resident memory stays bounded. Before the fix one
 * such import grew the process from ~120 MB to ~1.2 GB and answered 422
 * `unknown_revision`; four at once ended in "JavaScript heap out of memory".
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { startHostileGitServer, type HostileMode } from '../helpers/hostile-git-server.ts';

const PASSWORD = 'security-admin-password';
const AUTH = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' };
/** Generous: the fixed server stays near its idle ~120 MB; the unfixed one passed 1 GB with one import. */
const RSS_BOUND_MB = 400;

async function start(t: import('ava').ExecutionContext, env: Record<string, string>): Promise<ServerProcess> {
  const data = await makeTempDir('slipway-sec-git-');
  t.teardown(data.cleanup);
  const server = await startServerProcess({ SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1', SLIPWAY_RUNTIME: 'none', ...env });
  t.teardown(() => server.stop());
  const created = await fetch(`${server.url}/api/v1/namespaces/workspace/applications`, { method: 'POST', headers: AUTH, body: JSON.stringify({ name: 'evil' }) });
  t.is(created.status, 201, await created.text());
  return server;
}

/** Samples the child's VmRSS (MB) until stopped; returns the peak. */
function watchRss(pid: number) {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
    } catch { /* exited */ }
  };
  sample();
  const timer = setInterval(sample, 25);
  return { stop: () => { clearInterval(timer); sample(); return peak; } };
}

async function importFrom(server: ServerProcess, url: string) {
  const response = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/evil/import-git`, {
    method: 'POST', headers: AUTH, body: JSON.stringify({ giturl: url, gitrev: 'main' }),
  });
  const body = await response.json() as { code: string; data?: { part?: string } };
  return { status: response.status, code: body.code, part: body.data?.part };
}

async function fourAtOnce(t: import('ava').ExecutionContext, server: ServerProcess, cases: [HostileMode, { status: number; code: string; part?: string }][]) {
  const remotes = await Promise.all(cases.map(([mode]) => startHostileGitServer(mode)));
  t.teardown(() => Promise.all(remotes.map((r) => r.close())));
  const rss = watchRss(server.child.pid!);
  const results = await Promise.all(remotes.map((remote) => importFrom(server, remote.url)));
  const peak = rss.stop();
  t.log(`peak RSS ${peak.toFixed(0)} MB`);
  t.deepEqual(results, cases.map(([, expected]) => expected));
  t.true(peak < RSS_BOUND_MB, `peak RSS ${peak.toFixed(0)} MB`);
  // Still alive and answering.
  t.is(server.child.exitCode, null, server.stderr());
  t.is((await fetch(`${server.url}/api/v1/info`, { headers: AUTH })).status, 200);
}

test('four flooding remotes at once: each stage stops at its cap, memory stays bounded', async (t) => {
  // The default SLIPWAY_GIT_MAX_BYTES (1 GiB): what used to be buffered up to it must now stop at a stage cap.
  const server = await start(t, { SLIPWAY_GIT_REFS_MAX_BYTES: String(1024 * 1024) });
  await fourAtOnce(t, server, [
    ['v2-endless-listing', { status: 413, code: 'git_too_large', part: 'a ref listing' }],
    ['v2-endless-listing', { status: 413, code: 'git_too_large', part: 'a ref listing' }],
    ['endless-refs', { status: 413, code: 'git_too_large', part: 'a ref advertisement' }],
    ['v2-endless-progress', { status: 413, code: 'git_too_large', part: 'progress messages' }],
  ]);
});

test('four stalling or oversized remotes at once: 408 git_timeout and 413 git_too_large', async (t) => {
  const server = await start(t, { SLIPWAY_GIT_TIMEOUT_MS: '2000', SLIPWAY_GIT_MAX_BYTES: String(8 * 1024 * 1024) });
  await fourAtOnce(t, server, [
    ['stall-refs', { status: 408, code: 'git_timeout', part: undefined }],
    ['stall-fetch', { status: 408, code: 'git_timeout', part: undefined }],
    ['partial-packet', { status: 408, code: 'git_timeout', part: undefined }],
    ['endless-pack-band', { status: 413, code: 'git_too_large', part: undefined }],
  ]);
});
