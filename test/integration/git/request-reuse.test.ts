/**
 * Issue 12: a watch check and the import its run starts share what the check learned.
 * A moved repository (protocol v2) costs 3 requests — the check's advertisement and
 * ls-refs, then the import's fetch — not 6 (the import's resolve listed the refs
 * again, and its fetch asked for the advertisement again). A later check of the same
 * repository is one request. A remote that stops speaking v2 is asked afresh.
 */
import test from 'ava';
import { join } from 'node:path';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer, type GitServerOptions } from '../../helpers/git-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function rig(t: import('ava').ExecutionContext, protocolV2: boolean) {
  const temp = await makeTempDir('slipway-git-reuse-');
  const root = join(temp.dir, 'repos');
  await createBareRepo(root, 'acme/app');
  const options: GitServerOptions = { root, protocolV2 };
  const server = await startGitServer(options);
  const work = await createWorkRepo();
  t.teardown(async () => { await server.close(); await work.cleanup(); await temp.cleanup(); });
  await work.write({ 'index.js': 'console.log(1)\n' });
  const head = await work.commit('one');
  await work.push(`${server.url}/acme/app.git`, ['main']);
  const git = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 30_000, tmpDir: temp.dir,
    limits: { archiveEntries: 1000, unpackedBytes: 1 << 28 }, concurrency: 2,
  });
  const url = `${server.url}/acme/app.git`;
  /** What `action` asked of the server. */
  const asked = async (action: () => Promise<unknown>) => {
    const from = server.requests.length;
    await action();
    return server.requests.slice(from).map((r) => r.replace(/\?.*/, '').replace(server.url, ''));
  };
  /** The run's import, as import-git.ts does it: resolve the SHA, archive it. */
  const importSha = async (sha: string) => {
    const resolved = await git.resolve(url, sha);
    t.is(resolved.sha, sha);
    const archive = await git.archive({ url, resolved });
    let bytes = 0;
    for await (const chunk of archive) bytes += (chunk as Buffer).length;
    t.true(bytes > 0);
  };
  return { git, url, head, work, server, options, asked, importSha };
}

test('protocol v2: a check and the import it starts make 3 requests; the next check makes 1', async (t) => {
  const { git, url, head, asked, importSha } = await rig(t, true);
  const check = await asked(async () => t.is((await git.resolve(url, 'main')).sha, head));
  t.deepEqual(check, ['GET /acme/app.git/info/refs', 'POST /acme/app.git/git-upload-pack']);
  t.deepEqual(await asked(() => importSha(head)), ['POST /acme/app.git/git-upload-pack']);
  t.deepEqual(await asked(async () => t.is((await git.resolve(url, 'main')).sha, head)), ['POST /acme/app.git/git-upload-pack']);
});

test('protocol v0/v1: the advertisement carries the refs and is asked for every time; the import still skips its resolve', async (t) => {
  const { git, url, head, asked, importSha } = await rig(t, false);
  t.deepEqual(await asked(async () => t.is((await git.resolve(url, 'main')).sha, head)), ['GET /acme/app.git/info/refs']);
  t.deepEqual(await asked(() => importSha(head)), ['GET /acme/app.git/info/refs', 'POST /acme/app.git/git-upload-pack']);
  t.deepEqual(await asked(async () => t.is((await git.resolve(url, 'main')).sha, head)), ['GET /acme/app.git/info/refs']);
});

test('a SHA no check resolved is listed first; a moved branch is seen by the next check', async (t) => {
  const { git, url, head, work, asked, importSha } = await rig(t, true);
  t.deepEqual(await asked(() => importSha(head)), ['GET /acme/app.git/info/refs', 'POST /acme/app.git/git-upload-pack', 'POST /acme/app.git/git-upload-pack']);
  await work.write({ 'index.js': 'console.log(2)\n' });
  const next = await work.commit('two');
  await work.push(url, ['main']);
  // Branch names are never answered from memory.
  t.is((await git.resolve(url, 'main')).sha, next);
});

test('a remote that stops speaking v2 is asked for a new advertisement, and the operation succeeds', async (t) => {
  const { git, url, head, options, asked } = await rig(t, true);
  t.is((await git.resolve(url, 'main')).sha, head);
  options.protocolV2 = false;
  const requests = await asked(async () => t.is((await git.resolve(url, 'main')).sha, head));
  t.deepEqual(requests, ['POST /acme/app.git/git-upload-pack', 'GET /acme/app.git/info/refs']);
  t.deepEqual(await asked(async () => t.is((await git.resolve(url, 'main')).sha, head)), ['GET /acme/app.git/info/refs']);
});
