/**
 * The GitKeyStore on both backends — a 0600 file and a Secret on the fake Kubernetes API —
 * held to one contract, plus what is particular to each.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GitKeyStore } from '../../../core/ports/git-keys.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import { createFileGitKeyStore } from '../../../controller/adapters/git-keys/file-git-key-store.ts';
import { createKubeGitKeyStore, GIT_KEYS_SECRET } from '../../../controller/adapters/kube/state/kube-git-key-store.ts';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
test.after.always(() => Promise.all(cleanups.map((c) => c())));

async function tempDir(): Promise<string> {
  const { dir, cleanup } = await makeTempDir('slipway-git-keys-');
  cleanups.push(cleanup);
  return dir;
}

/** A logger that keeps every line, to check what was logged. */
function recordingLogger(lines: string[]): Logger {
  const log = (obj: object | string, msg?: string) => { lines.push(JSON.stringify(obj) + (msg ?? '')); };
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

async function fileStore(): Promise<{ store: GitKeyStore; path: string }> {
  const path = join(await tempDir(), 'git-keys.json');
  return { store: await createFileGitKeyStore({ path }), path };
}

async function kubeStore(): Promise<{ store: GitKeyStore; kube: FakeKube }> {
  const kube = await startFakeKube();
  cleanups.push(() => kube.close());
  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'slipway-system' } });
  return { store: createKubeGitKeyStore({ kc: kube.kubeConfig(), namespace: 'slipway-system' }), kube };
}

const backends: [string, () => Promise<{ store: GitKeyStore }>][] = [['file', fileStore], ['kube', kubeStore]];

for (const [backend, make] of backends) {
  test(`${backend}: a generated key is listed with its public key and fingerprint, never its private key`, async (t) => {
    const { store } = await make();
    const key = await store.add({ host: 'GitHub.com' });
    t.like(key, { name: 'github-com', host: 'github.com', type: 'ssh-ed25519' });
    t.regex(key.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* slipway-github-com$/);
    t.regex(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    t.false('privateKey' in key);
    const listed = await store.list();
    t.deepEqual(listed, [key]);
    t.false(JSON.stringify(listed).includes('PRIVATE KEY'));
    const [found] = await store.privateKeysFor('github.com', 22);
    t.deepEqual(found?.key, key);
    t.regex(found!.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  });

  test(`${backend}: names are unique, checked, and removal reports whether one went`, async (t) => {
    const { store } = await make();
    await store.add({ host: 'git.example.com:2222' });
    t.is((await store.list())[0]?.name, 'git-example-com-2222');
    await t.throwsAsync(store.add({ host: 'git.example.com:2222' }), { code: 'git_key_exists' } as never);
    await t.throwsAsync(store.add({ host: 'x.example.com', name: 'Not A Name' }), { code: 'invalid_request' } as never);
    await t.throwsAsync(store.add({ host: 'https://x.example.com/' }), { code: 'invalid_request' } as never);
    t.true(await store.remove('git-example-com-2222'));
    t.false(await store.remove('git-example-com-2222'));
    t.deepEqual(await store.list(), []);
  });

  test(`${backend}: the most specific host pattern comes first; a pattern with a port matches that port only`, async (t) => {
    const { store } = await make();
    await store.add({ host: '*.example.com', name: 'wide' });
    await store.add({ host: '*.git.example.com', name: 'narrower' });
    await store.add({ host: 'a.git.example.com', name: 'exact' });
    await store.add({ host: 'a.git.example.com:2222', name: 'exact-port' });
    const names = async (host: string, port: number) => (await store.privateKeysFor(host, port)).map((k) => k.key.name);
    t.deepEqual(await names('a.git.example.com', 2222), ['exact-port', 'exact', 'narrower', 'wide']);
    t.deepEqual(await names('A.git.example.com', 22), ['exact', 'narrower', 'wide']);
    t.deepEqual(await names('b.example.com', 22), ['wide']);
    t.deepEqual(await names('example.com', 22), []);
    t.deepEqual(await names('evil-example.com', 22), []);
  });

  test(`${backend}: an imported key keeps its own public key`, async (t) => {
    const { store } = await make();
    const file = join(await tempDir(), 'id');
    await run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', file]);
    const key = await store.add({ host: 'gitlab.com', name: 'ops', privateKey: await readFile(file, 'utf8') });
    t.is(key.type, 'ssh-rsa');
    t.is(key.publicKey.split(' ')[1], (await readFile(`${file}.pub`, 'utf8')).split(' ')[1]);
    t.is(key.fingerprint, (await run('ssh-keygen', ['-lf', `${file}.pub`])).stdout.split(' ')[1]);
  });

  test(`${backend}: built-in host keys, trusted keys by host and port, and untrust`, async (t) => {
    const { store } = await make();
    const github = await store.knownHosts('github.com', 22);
    t.deepEqual(github.map((k) => k.key.split(' ')[0]).sort(), ['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa']);
    t.true(github.every((k) => k.source === 'builtin'));
    t.deepEqual(await store.knownHosts('github.com', 2222), []);
    const first = await store.trust('git.example.com', 2222, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl');
    t.deepEqual(first, { host: '[git.example.com]:2222', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', fingerprint: 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU', source: 'trusted' });
    // A new key of the same type (a rotation) replaces the old one.
    await store.trust('git.example.com', 2222, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf');
    t.deepEqual((await store.knownHosts('git.example.com', 2222)).map((k) => k.fingerprint), ['SHA256:eUXGGm1YGsMAS7vkcx6JOJdOGHPem5gQp4taiCfCLB8']);
    t.deepEqual(await store.knownHosts('git.example.com', 22), []);
    t.is((await store.listKnownHosts()).filter((k) => k.source === 'trusted').length, 1);
    await t.throwsAsync(store.trust('git.example.com', 22, 'not a key'), { code: 'git_key_invalid' } as never);
    t.true(await store.untrust('git.example.com', 2222));
    t.false(await store.untrust('git.example.com', 2222));
    t.false(await store.untrust('github.com', 22), 'built-in keys stay');
    t.is((await store.knownHosts('github.com', 22)).length, 3);
  });
}

test('the built-in host keys have the fingerprints the providers publish', async (t) => {
  const { store } = await fileStore();
  const byHost = new Map<string, string[]>();
  for (const k of await store.listKnownHosts()) byHost.set(k.host, [...(byHost.get(k.host) ?? []), k.fingerprint]);
  // As printed on the providers' pages (cited in builtin-known-hosts.ts).
  t.deepEqual(byHost.get('github.com')?.sort(), ['SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU', 'SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM', 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'].sort());
  t.deepEqual(byHost.get('gitlab.com')?.sort(), ['SHA256:eUXGGm1YGsMAS7vkcx6JOJdOGHPem5gQp4taiCfCLB8', 'SHA256:HbW3g8zUjNSksFbqTiUWPWg2Bq1x8xdGUrliXFzSnUw', 'SHA256:ROQFvPThGrW4RuWLoL9tq9I9zJ42fK4XywyRtbOz/EQ'].sort());
  t.deepEqual(byHost.get('bitbucket.org')?.sort(), ['SHA256:ybgmFkzwOSotHTHLJgHO0QN8L0xErw6vd0VhFA9m3SM', 'SHA256:FC73VB6C4OQLSCrjEayhMp9UMxS97caD/Yyi2bhW/J0', 'SHA256:46OSHA1Rmj8E8ERTC6xkNcmGOw9oFxYr0WF6zWW8l1E'].sort());
});

test('file: written with mode 0600; a wider mode is narrowed at start, and logged', async (t) => {
  const { store, path } = await fileStore();
  await store.add({ host: 'github.com' });
  t.is((await stat(path)).mode & 0o777, 0o600);
  await chmod(path, 0o644);
  const lines: string[] = [];
  const again = await createFileGitKeyStore({ path, logger: recordingLogger(lines) });
  t.is((await stat(path)).mode & 0o777, 0o600);
  t.regex(lines.join('\n'), /was readable by others \(mode 644\)/);
  t.is((await again.list()).length, 1);
});

test('file: a file that does not parse is moved aside, and the log quotes none of it', async (t) => {
  const path = join(await tempDir(), 'git-keys.json');
  await writeFile(path, '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-secret-bytes\n', { mode: 0o600 });
  const lines: string[] = [];
  const store = await createFileGitKeyStore({ path, logger: recordingLogger(lines) });
  t.deepEqual(await store.list(), []);
  t.regex(await readFile(`${path}.corrupt`, 'utf8'), /secret-bytes/);
  t.true(lines.length > 0);
  t.false(lines.join('\n').includes('secret-bytes'));
  t.false(lines.join('\n').includes('BEGIN'));
});

async function checkConcurrentAdds(t: ExecutionContext, stores: GitKeyStore[]) {
  await Promise.all(Array.from({ length: 6 }, (_, i) => stores[i % stores.length]!.add({ host: 'github.com', name: `k${i}` })));
  t.deepEqual((await stores[0]!.list()).map((k) => k.name).sort(), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
}

test('kube: one Secret in the release namespace, made on the first add, and replicas adding at once lose nothing', async (t) => {
  const { kube } = await kubeStore();
  const stores = [0, 1].map(() => createKubeGitKeyStore({ kc: kube.kubeConfig(), namespace: 'slipway-system' }));
  t.deepEqual(await stores[0]!.list(), []);
  t.is(kube.object('v1', 'Secret', 'slipway-system', GIT_KEYS_SECRET), undefined, 'reading makes nothing');
  await checkConcurrentAdds(t, stores);
  const secret = kube.object('v1', 'Secret', 'slipway-system', GIT_KEYS_SECRET);
  t.like(secret?.metadata.labels, { 'app.kubernetes.io/managed-by': 'slipway', 'app.kubernetes.io/component': 'git-keys' });
  t.deepEqual(kube.rejections, []);
});

test('file: concurrent adds in one process lose nothing', async (t) => {
  const { store } = await fileStore();
  await checkConcurrentAdds(t, [store]);
});
