/**
 * A git import is held to the caps an upload is held to (entries, unpacked bytes,
 * symlinks that stay inside the root) and to its deadline while it streams; a client
 * that goes away mid-import ends the stream without taking the server down.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGitSource, type GitSourceDeps } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import { createBareRepo, createWorkRepo, gitEnv, type WorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer, type GitServer } from '../../helpers/git-server.ts';

let root: string;
let work: WorkRepo;
let server: GitServer;
let url: string;
const shas: Record<string, string> = {};

const deps = (overrides: Partial<GitSourceDeps> = {}): GitSourceDeps => ({
  allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 27, timeoutMs: 30_000, tmpDir: root,
  limits: { archiveEntries: 100_000, unpackedBytes: 1 << 30 }, ...overrides,
});

/** Runs git plumbing that reads stdin (mktree) in the work repository. */
const plumb = (args: string[], input: string) =>
  execFileSync('git', args, { cwd: work.dir, env: gitEnv(work.home), input }).toString().trim();

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-git-limits-'));
  await createBareRepo(root, 'app');
  server = await startGitServer({ root });
  url = `${server.url}/app.git`;
  work = await createWorkRepo();

  // 3000 files of 1 KiB random bytes: streaming them takes a moment, and they total ~3 MB.
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 3000; i++) files[`src/${i % 30}/f${i}.bin`] = randomBytes(1024);
  await work.write(files);
  shas.many = await work.commit('many files');

  await work.branch('escape');
  await work.write({ 'README.md': 'hi\n', link: { symlink: '../../etc' } });
  shas.escape = await work.commit('a symlink out of the tree');

  // The git bomb: one blob, and trees 10 wide nesting 9 deep (10^9 paths) in 10 objects.
  await work.write({ 'x.txt': 'x' });
  const blob = await work.git('hash-object', '-w', 'x.txt');
  let tree = plumb(['mktree'], Array.from({ length: 10 }, (_, i) => `100644 blob ${blob}\tf${i}\n`).join(''));
  for (let depth = 0; depth < 8; depth++) {
    tree = plumb(['mktree'], Array.from({ length: 10 }, (_, i) => `040000 tree ${tree}\td${i}\n`).join(''));
  }
  shas.bomb = await work.git('commit-tree', tree, '-m', 'bomb');
  await work.git('update-ref', 'refs/heads/bomb', shas.bomb);
  await work.push(url, ['main', 'escape', 'bomb']);
});

test.after.always(async () => {
  await server?.close();
  await work?.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function freshTmp(): Promise<string> {
  return mkdtemp(join(root, 'tmp-'));
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await nextTurn();
  }
  return false;
}

test('aborting an archive mid-stream errors the stream, keeps the process alive and removes the temporary files', async (t) => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  t.teardown(() => process.off('uncaughtException', onUncaught));
  const tmpDir = await freshTmp();
  const controller = new AbortController();
  const stream = await createGitSource(deps({ tmpDir })).archive({ url, resolved: { sha: shas.many! }, signal: controller.signal });
  const errored = new Promise<Error>((resolve) => stream.once('error', resolve));
  stream.once('data', () => controller.abort(new Error('client went away')));
  const error = await errored;
  t.regex(error.message, /client went away/);
  t.true(await until(async () => (await readdir(tmpDir)).length === 0), 'the temporary pack is removed');
  for (let i = 0; i < 20; i++) await nextTurn();
  t.deepEqual(uncaught, []);
});

test('a git bomb (10^9 paths in a handful of objects) fails fast on the entry limit', async (t) => {
  const tmpDir = await freshTmp();
  const started = Date.now();
  const error = await t.throwsAsync(createGitSource(deps({ tmpDir, limits: { archiveEntries: 10_000, unpackedBytes: 1 << 30 } }))
    .archive({ url, resolved: { sha: shas.bomb! } }));
  t.true(isSlipwayError(error, 'too_large'), String(error));
  t.regex(error!.message, /SLIPWAY_MAX_ARCHIVE_ENTRIES/);
  t.true(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  t.deepEqual(await readdir(tmpDir), []);
});

test('files totalling more than the unpacked limit are too_large', async (t) => {
  const error = await t.throwsAsync(createGitSource(deps({ limits: { archiveEntries: 100_000, unpackedBytes: 1_000_000 } }))
    .archive({ url, resolved: { sha: shas.many! } }));
  t.true(isSlipwayError(error, 'too_large'), String(error));
  t.regex(error!.message, /SLIPWAY_MAX_UNPACKED_BYTES/);
});

test('a symlink pointing out of the tree is unsafe_archive, as in an upload', async (t) => {
  const error = await t.throwsAsync(createGitSource(deps()).archive({ url, resolved: { sha: shas.escape! } }));
  t.true(isSlipwayError(error, 'unsafe_archive'), String(error));
  t.regex(error!.message, /link/);
});

test('an archive still streaming at its deadline ends with git_timeout', async (t) => {
  t.timeout(20_000);
  // 5 s: the fetch itself must finish first, even on a loaded machine; then the stream stalls.
  // On a machine loaded far past its cores the fetch can still miss 5 s: then the deadline
  // ends the archive before it streams, which is the same answer, and the test says so.
  const error = await createGitSource(deps({ timeoutMs: 5000 })).archive({ url, resolved: { sha: shas.many! } }).then(
    // Nothing reads: the archive waits on backpressure, as it would for a stalled client.
    (stream) => new Promise<Error>((resolve) => stream.once('error', resolve)),
    (before: Error) => { t.log(`the deadline came before the stream started: ${before.message}`); return before; },
  );
  t.true(isSlipwayError(error, 'git_timeout'), String(error));
});
