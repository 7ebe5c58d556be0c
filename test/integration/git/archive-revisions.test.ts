/**
 * The git source against a real `git http-backend`: every revision kind resolves to
 * the commit git itself names, and the archive holds exactly what `git archive` of
 * that commit holds (paths, types, exec bits, symlink targets, bytes).
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import type { GitSource } from '../../../core/ports/git-source.ts';
import { archiveEntries, gitBytes, type WorkRepo } from '../../helpers/git-repo.ts';
import { collect, createRevisionRepo } from '../../helpers/revision-repo.ts';
import { startGitServer, type GitServer } from '../../helpers/git-server.ts';

interface Fixture {
  root: string;
  bare: string;
  work: WorkRepo;
  server: GitServer;
  v1Server: GitServer;
  source: GitSource;
  url: string;
  shas: { old: string; tagged: string; main: string; feature: string };
}

let fx: Fixture;

test.before(async () => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-git-it-'));
  const { bare, work, shas } = await createRevisionRepo(root);
  const server = await startGitServer({ root });
  const v1Server = await startGitServer({ root, protocolV2: false });
  const source = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 50 * 1024 * 1024, timeoutMs: 30_000, tmpDir: root,
    limits: { archiveEntries: 100_000, unpackedBytes: 1 << 30 },
  });
  fx = { root, bare, work, server, v1Server, source, url: `${server.url}/app.git`, shas };
});

test.after.always(async () => {
  await fx?.server.close();
  await fx?.v1Server.close();
  await fx?.work.cleanup();
  if (fx) await rm(fx.root, { recursive: true, force: true });
});

type ShaName = keyof Fixture['shas'];

const archivesLikeGit = test.macro({
  async exec(t, revision: string | ((f: Fixture) => string), expected: { sha: ShaName; branch?: string; ref?: string }, subdir?: string) {
    const rev = typeof revision === 'function' ? revision(fx) : revision;
    const resolved = await fx.source.resolve(fx.url, rev);
    t.is(resolved.sha, fx.shas[expected.sha]);
    t.is(resolved.branch, expected.branch);
    if (expected.ref) t.is(resolved.ref, expected.ref);
    const ours = await archiveEntries(await collect(await fx.source.archive({ url: fx.url, resolved, subdir })));
    const treeish = subdir ? `${resolved.sha}:${subdir}` : resolved.sha;
    const theirs = await archiveEntries(await gitBytes(fx.bare, ['archive', '--format=tar', treeish], fx.work.home));
    t.true(ours.length > 0);
    t.deepEqual(ours, theirs);
  },
  title: (title, revision: string | ((f: Fixture) => string)) => `archive of ${title ?? JSON.stringify(revision)} equals git archive`,
});

test('the default branch', archivesLikeGit, '', { sha: 'main', branch: 'main', ref: 'refs/heads/main' });
test('a branch', archivesLikeGit, 'main', { sha: 'main', branch: 'main' });
test('a branch with a slash', archivesLikeGit, 'feature/x', { sha: 'feature', branch: 'feature/x', ref: 'refs/heads/feature/x' });
test('a lightweight tag', archivesLikeGit, 'v1', { sha: 'tagged', ref: 'refs/tags/v1' });
test('an annotated tag', archivesLikeGit, 'v2', { sha: 'main', ref: 'refs/tags/v2' });
test('the full SHA of a tip', archivesLikeGit, (f) => f.shas.main, { sha: 'main' });
test('the full SHA of an older commit', archivesLikeGit, (f) => f.shas.old, { sha: 'old' });
test('a short SHA of a tip', archivesLikeGit, (f) => f.shas.feature.slice(0, 8), { sha: 'feature' });
test('a short SHA of an older commit', archivesLikeGit, (f) => f.shas.old.slice(0, 9), { sha: 'old' });
test('a subdir', archivesLikeGit, 'main', { sha: 'main', branch: 'main' }, 'apps/web');
test('a nested subdir', archivesLikeGit, 'main', { sha: 'main', branch: 'main' }, 'nested/deep');

test('an older commit through a protocol v1 server falls back to a full fetch', async (t) => {
  const url = `${fx.v1Server.url}/app.git`;
  const resolved = await fx.source.resolve(url, fx.shas.old);
  t.is(resolved.sha, fx.shas.old);
  const ours = await archiveEntries(await collect(await fx.source.archive({ url, resolved })));
  const theirs = await archiveEntries(await gitBytes(fx.bare, ['archive', '--format=tar', fx.shas.old], fx.work.home));
  t.deepEqual(ours, theirs);
});

test('a branch through a protocol v1 server', async (t) => {
  const url = `${fx.v1Server.url}/app.git`;
  const resolved = await fx.source.resolve(url, 'feature/x');
  t.deepEqual(resolved, { sha: fx.shas.feature, branch: 'feature/x', ref: 'refs/heads/feature/x' });
  const ours = await archiveEntries(await collect(await fx.source.archive({ url, resolved })));
  t.true(ours.some((e) => e.path === 'feature.txt'));
});

test('the temporary folder is removed after the archive is read', async (t) => {
  const tmpDir = await mkdtemp(join(tmpdir(), 'slipway-git-tmp-'));
  const source = createGitSource({ allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 30_000, tmpDir, limits: { archiveEntries: 100_000, unpackedBytes: 1 << 30 } });
  const stream = await source.archive({ url: fx.url, resolved: { sha: fx.shas.main } });
  const { readdir } = await import('node:fs/promises');
  t.is((await readdir(tmpDir)).length, 1);
  await collect(stream);
  const deadline = Date.now() + 5000;
  while ((await readdir(tmpDir)).length > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  t.deepEqual(await readdir(tmpDir), []);
  await rm(tmpDir, { recursive: true, force: true });
});
