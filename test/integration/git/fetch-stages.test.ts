/**
 * Issue 12: an archive holds its fetch slot for the transfer only. Once its pack is on
 * disk and indexed it streams in a slot of its own, so the next fetch's network time
 * overlaps this archive's streaming (a burst of 1,000 imports drained at fetch time +
 * streaming time per slot before); the fetches at the server stay within
 * SLIPWAY_GIT_CONCURRENCY.
 */
import test from 'ava';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer } from '../../helpers/git-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

test('the next fetch runs while an archive streams; fetches at once stay within the concurrency', async (t) => {
  t.timeout(60_000);
  const temp = await makeTempDir('slipway-git-stages-');
  const root = join(temp.dir, 'repos');
  await createBareRepo(root, 'acme/app');
  // Protocol v0/v1: every POST is a fetch.
  const server = await startGitServer({ root, protocolV2: false });
  const work = await createWorkRepo();
  t.teardown(async () => { await server.close(); await work.cleanup(); await temp.cleanup(); });
  await work.write({ 'index.js': 'console.log(1)\n' });
  const head = await work.commit('one');
  const url = `${server.url}/acme/app.git`;
  await work.push(url, ['main']);
  const git = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 30_000, tmpDir: temp.dir,
    limits: { archiveEntries: 1000, unpackedBytes: 1 << 28 }, concurrency: 1,
  });
  const fetches = () => server.requests.filter((r) => r.startsWith('POST') && r.includes('git-upload-pack')).length;

  // The first archive is returned and left unread: it holds the one streaming slot.
  const first = await git.archive({ url, resolved: { sha: head } });
  t.is(fetches(), 1);
  // The second fetches meanwhile (before: it waited for the first stream to close),
  // then waits to stream; the third waits for the fetch slot the second holds.
  const second = git.archive({ url, resolved: { sha: head } });
  const third = git.archive({ url, resolved: { sha: head } });
  await until(() => fetches() === 2, 'the second fetch while the first archive streams');

  t.true(await drain(first) > 0);
  t.true(await drain(await second) > 0);
  t.true(await drain(await third) > 0);
  t.is(fetches(), 3);
  t.is(server.peakUploadPacks(), 1, 'never more fetches at once than SLIPWAY_GIT_CONCURRENCY');
});
