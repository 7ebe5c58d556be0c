/**
 * Issue 12: ref listings (every watch check) and fetches (imports) have separate slots.
 * With SLIPWAY_GIT_CONCURRENCY fetches stalled on a slow remote, polls of other
 * repositories still list their refs; and a burst of fetches waits in line instead of
 * failing `git_busy`.
 */
import test from 'ava';
import { join } from 'node:path';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer } from '../../helpers/git-server.ts';
import { startHostileGitServer } from '../../helpers/hostile-git-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('a ref listing does not wait behind fetches that hold every fetch slot', async (t) => {
  const temp = await makeTempDir('slipway-git-slots-');
  const root = join(temp.dir, 'repos');
  await createBareRepo(root, 'acme/web');
  const server = await startGitServer({ root });
  const stalled = await startHostileGitServer('stall-fetch');
  const work = await createWorkRepo();
  t.teardown(async () => { await stalled.close(); await server.close(); await work.cleanup(); await temp.cleanup(); });
  await work.write({ 'index.js': 'console.log(1)\n' });
  const head = await work.commit('one');
  await work.push(`${server.url}/acme/web.git`, ['main']);

  const source = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 60_000, tmpDir: temp.dir,
    limits: { archiveEntries: 1000, unpackedBytes: 1 << 28 }, concurrency: 1,
  });
  const abort = new AbortController();
  const fetches = [1, 2].map(() => source.archive({ url: stalled.url, resolved: { sha: stalled.sha }, signal: abort.signal }).catch((error: unknown) => error));
  // Both fetches are under way or waiting; the listing answers before either ends.
  const resolved = await source.resolve(`${server.url}/acme/web.git`, 'main');
  t.is(resolved.sha, head);
  abort.abort(new Error('test over'));
  await Promise.all(fetches);
});
