/**
 * Git over SSH against a real OpenSSH server (issue 17): every revision kind resolves
 * to the commit git names and archives exactly what `git archive` holds, over
 * protocol v2 (AcceptEnv GIT_PROTOCOL) and v0 (stock sshd); deploy keys and host keys
 * are checked strictly, the address guard applies, and no key material reaches an error.
 */
import test from 'ava';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';

const { utils } = ssh2;
import { createGitSource, type GitSourceDeps } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import type { GitSource } from '../../../core/ports/git-source.ts';
import { archiveEntries, gitBytes, type WorkRepo } from '../../helpers/git-repo.ts';
import { collect, createRevisionRepo } from '../../helpers/revision-repo.ts';
import { createMemoryGitKeys, fingerprintOfLine, type MemoryGitKeys } from '../../helpers/memory-git-keys.ts';
import { SSHD, startSshGitServer, type SshGitServer } from '../../helpers/ssh-git-server.ts';

const hasSshd = await access(SSHD).then(() => true, () => false);
const sshTest = hasSshd ? test : test.skip;

interface Fixture {
  root: string;
  bare: string;
  work: WorkRepo;
  v2: SshGitServer;
  v0: SshGitServer;
  keys: MemoryGitKeys;
  source: GitSource;
  shas: { old: string; tagged: string; main: string; feature: string };
}

let fx: Fixture;

const baseDeps = (root: string): Omit<GitSourceDeps, 'keys'> => ({
  // sshd takes a second or more per session on a loaded machine: generous slots and deadline.
  allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 50 * 1024 * 1024, timeoutMs: 120_000, concurrency: 64, tmpDir: root,
  limits: { archiveEntries: 100_000, unpackedBytes: 1 << 30 },
});

const urlOf = (server: SshGitServer) => `ssh://${server.user}@127.0.0.1:${server.port}${fx.bare}`;

test.before(async () => {
  if (!hasSshd) return;
  const root = await mkdtemp(join(tmpdir(), 'slipway-ssh-it-'));
  const { bare, work, shas } = await createRevisionRepo(root);
  const keys = createMemoryGitKeys();
  const key = await keys.add({ host: '*', name: 'deploy' });
  const v2 = await startSshGitServer({ authorizedKeys: [key.publicKey] });
  const v0 = await startSshGitServer({ authorizedKeys: [key.publicKey], protocolV2: false });
  await keys.trust('127.0.0.1', v2.port, v2.hostKey);
  await keys.trust('127.0.0.1', v0.port, v0.hostKey);
  const source = createGitSource({ ...baseDeps(root), keys });
  fx = { root, bare, work, v2, v0, keys, source, shas };
});

test.after.always(async () => {
  await fx?.v2.close();
  await fx?.v0.close();
  await fx?.work.cleanup();
  if (fx) await rm(fx.root, { recursive: true, force: true });
});

type ShaName = keyof Fixture['shas'];

const archivesLikeGit = test.macro({
  async exec(t, server: 'v2' | 'v0', revision: string | ((f: Fixture) => string), expected: { sha: ShaName; branch?: string; ref?: string }, subdir?: string) {
    const rev = typeof revision === 'function' ? revision(fx) : revision;
    const url = urlOf(fx[server]);
    const resolved = await fx.source.resolve(url, rev);
    t.is(resolved.sha, fx.shas[expected.sha]);
    t.is(resolved.branch, expected.branch);
    if (expected.ref) t.is(resolved.ref, expected.ref);
    const ours = await archiveEntries(await collect(await fx.source.archive({ url, resolved, subdir })));
    const treeish = subdir ? `${resolved.sha}:${subdir}` : resolved.sha;
    const theirs = await archiveEntries(await gitBytes(fx.bare, ['archive', '--format=tar', treeish], fx.work.home));
    t.true(ours.length > 0);
    t.deepEqual(ours, theirs);
  },
  title: (title, server: string) => `${server}: archive of ${title} over SSH equals git archive`,
});

sshTest('the default branch', archivesLikeGit, 'v2', '', { sha: 'main', branch: 'main', ref: 'refs/heads/main' });
sshTest('a branch with a slash', archivesLikeGit, 'v2', 'feature/x', { sha: 'feature', branch: 'feature/x', ref: 'refs/heads/feature/x' });
sshTest('a lightweight tag', archivesLikeGit, 'v2', 'v1', { sha: 'tagged', ref: 'refs/tags/v1' });
sshTest('an annotated tag', archivesLikeGit, 'v2', 'v2', { sha: 'main', ref: 'refs/tags/v2' });
sshTest('the full SHA of a tip', archivesLikeGit, 'v2', (f) => f.shas.main, { sha: 'main' });
sshTest('the full SHA of an older commit', archivesLikeGit, 'v2', (f) => f.shas.old, { sha: 'old' });
sshTest('a short SHA of a tip', archivesLikeGit, 'v2', (f) => f.shas.feature.slice(0, 8), { sha: 'feature' });
sshTest('a short SHA of an older commit', archivesLikeGit, 'v2', (f) => f.shas.old.slice(0, 9), { sha: 'old' });
sshTest('a subdir', archivesLikeGit, 'v2', 'main', { sha: 'main', branch: 'main' }, 'apps/web');
// Stock sshd drops GIT_PROTOCOL: v0, where only ref tips may be wanted at depth 1.
sshTest('the default branch', archivesLikeGit, 'v0', '', { sha: 'main', branch: 'main', ref: 'refs/heads/main' });
sshTest('an annotated tag', archivesLikeGit, 'v0', 'v2', { sha: 'main', ref: 'refs/tags/v2' });
sshTest('the full SHA of an older commit', archivesLikeGit, 'v0', (f) => f.shas.old, { sha: 'old' });
sshTest('a short SHA of an older commit', archivesLikeGit, 'v0', (f) => f.shas.old.slice(0, 9), { sha: 'old' });
sshTest('a subdir', archivesLikeGit, 'v0', 'feature/x', { sha: 'feature', branch: 'feature/x' }, 'apps/web');

/** The error of `promise`, checked to hold no private key material. */
async function failure(t: import('ava').ExecutionContext, promise: Promise<unknown>, keys: MemoryGitKeys[] = [fx.keys]) {
  const error = await t.throwsAsync(promise);
  const text = `${error!.message} ${JSON.stringify((error as { data?: unknown }).data ?? {})} ${error!.stack ?? ''}`;
  t.notRegex(text, /PRIVATE KEY/);
  for (const store of keys) {
    for (const privateKey of store.privateKeys()) {
      for (const line of privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) t.false(text.includes(line));
    }
  }
  return error!;
}

sshTest('a key the server does not accept is git_auth_required naming its fingerprint', async (t) => {
  const keys = createMemoryGitKeys();
  const wrong = await keys.add({ host: '*', name: 'wrong' });
  await keys.trust('127.0.0.1', fx.v2.port, fx.v2.hostKey);
  const source = createGitSource({ ...baseDeps(fx.root), keys });
  const error = await failure(t, source.resolve(urlOf(fx.v2), 'main'), [keys]);
  t.true(isSlipwayError(error, 'git_auth_required'));
  t.true(error.message.includes(wrong.fingerprint), error.message);
  t.is(wrong.fingerprint, fingerprintOfLine(wrong.publicKey));
});

sshTest('the accepted key is found among several', async (t) => {
  const keys = createMemoryGitKeys();
  await keys.add({ host: '*', name: 'other' });
  await keys.add({ host: '*', name: 'deploy', privateKey: fx.keys.privateKeys()[0] });
  await keys.trust('127.0.0.1', fx.v2.port, fx.v2.hostKey);
  const source = createGitSource({ ...baseDeps(fx.root), keys });
  t.is((await source.resolve(urlOf(fx.v2), 'main')).sha, fx.shas.main);
});

sshTest('no deploy key for the host is git_auth_required saying how to add one', async (t) => {
  const keys = createMemoryGitKeys();
  await keys.trust('127.0.0.1', fx.v2.port, fx.v2.hostKey);
  const error = await failure(t, createGitSource({ ...baseDeps(fx.root), keys }).resolve(urlOf(fx.v2), 'main'));
  t.true(isSlipwayError(error, 'git_auth_required'));
  t.regex(error.message, /git-keys add/);
});

sshTest('an unknown host key is refused with its fingerprint, never trusted on first use', async (t) => {
  const keys = createMemoryGitKeys();
  await keys.add({ host: '*', name: 'deploy', privateKey: fx.keys.privateKeys()[0] });
  const source = createGitSource({ ...baseDeps(fx.root), keys });
  const error = await failure(t, source.resolve(urlOf(fx.v2), 'main'));
  t.true(isSlipwayError(error, 'git_host_key_unknown'));
  t.true(error.message.includes(fingerprintOfLine(fx.v2.hostKey)), error.message);
  t.regex(error.message, new RegExp(`git-keys trust \\[127\\.0\\.0\\.1\\]:${fx.v2.port}`));
  t.deepEqual(await keys.listKnownHosts(), []);
});

sshTest('a changed host key is refused naming both fingerprints', async (t) => {
  const keys = createMemoryGitKeys();
  await keys.add({ host: '*', name: 'deploy', privateKey: fx.keys.privateKeys()[0] });
  const impostor = utils.generateKeyPairSync('ed25519').public.split(' ').slice(0, 2).join(' ');
  await keys.trust('127.0.0.1', fx.v2.port, impostor);
  const error = await failure(t, createGitSource({ ...baseDeps(fx.root), keys }).resolve(urlOf(fx.v2), 'main'));
  t.true(isSlipwayError(error, 'git_host_key_mismatch'));
  t.true(error.message.includes(fingerprintOfLine(fx.v2.hostKey)), error.message);
  t.true(error.message.includes(fingerprintOfLine(impostor)), error.message);
});

sshTest('the address guard refuses 127.0.0.1 unless SLIPWAY_GIT_ALLOWED_HOSTS allows it', async (t) => {
  const source = createGitSource({ ...baseDeps(fx.root), allowedHosts: [], keys: fx.keys });
  const error = await failure(t, source.resolve(urlOf(fx.v2), 'main'));
  t.true(isSlipwayError(error, 'git_address_refused'));
  const byName = createGitSource({ ...baseDeps(fx.root), allowedHosts: [], keys: fx.keys, lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
  const named = await failure(t, byName.resolve(`ssh://${fx.v2.user}@git.example.com:${fx.v2.port}${fx.bare}`, 'main'));
  t.true(isSlipwayError(named, 'git_address_refused'));
});

sshTest('a path with no repository is invalid_git_url', async (t) => {
  const error = await failure(t, fx.source.resolve(`ssh://${fx.v2.user}@127.0.0.1:${fx.v2.port}${fx.root}/missing.git`, 'main'));
  t.true(isSlipwayError(error, 'invalid_git_url'), error.message);
});

test('without a key store, SSH URLs fail clearly', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-ssh-nokeys-'));
  const error = await t.throwsAsync(createGitSource(baseDeps(root)).resolve('git@github.com:org/repo.git', 'main'));
  t.true(isSlipwayError(error, 'invalid_git_url'));
  t.regex(error!.message, /key store/);
  await rm(root, { recursive: true, force: true });
});

sshTest('ref listings of one host in a row share one SSH connection (a poll round); none is kept past the idle time', async (t) => {
  let connections = 0;
  const counting = { ...fx.keys, privateKeysFor: (host: string, port: number) => { connections += 1; return fx.keys.privateKeysFor(host, port); } };
  const source = createGitSource({ ...baseDeps(fx.root), keys: counting, sshIdleMs: 2_000 });
  const url = urlOf(fx.v2);
  for (let i = 0; i < 3; i += 1) t.is((await source.resolve(url, 'main')).sha, fx.shas.main);
  t.is(connections, 1, 'three listings, one authentication');
  // After the idle time the kept connection is closed: the next listing connects anew.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  t.is((await source.resolve(url, 'main')).sha, fx.shas.main);
  t.is(connections, 2);
});

sshTest('a kept connection outlives the operation that opened it: that operation\'s abort does not end it for the next one', async (t) => {
  let connections = 0;
  const counting = { ...fx.keys, privateKeysFor: (host: string, port: number) => { connections += 1; return fx.keys.privateKeysFor(host, port); } };
  const source = createGitSource({ ...baseDeps(fx.root), keys: counting, sshIdleMs: 30_000 });
  const url = urlOf(fx.v2);
  const first = new AbortController();
  t.is((await source.resolve(url, 'main', { signal: first.signal })).sha, fx.shas.main);
  first.abort(new Error('the first caller is gone'));
  t.is((await source.resolve(url, 'main')).sha, fx.shas.main);
  t.is(connections, 1, 'the second listing reused the first one\'s connection');
});

sshTest('a host name that does not resolve is git_unreachable saying so, as over HTTPS', async (t) => {
  const source = createGitSource({ ...baseDeps(fx.root), allowedHosts: [], keys: fx.keys });
  // .invalid never resolves (RFC 2606).
  const error = await t.throwsAsync(source.resolve('git@git.example.invalid:org/app.git', 'main'));
  t.true(isSlipwayError(error, 'git_unreachable'), String(error));
  t.regex(error!.message, /connection failed \((ENOTFOUND|EAI_AGAIN)\)/);
});
