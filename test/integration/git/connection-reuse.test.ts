/**
 * Issue 12: ref listings reuse connections per host. Polling 10,000 repositories on one
 * host must not open 10,000 TCP (and TLS) connections a minute: operations of one git
 * source share a keep-alive pool, and a response is handed back to it once read.
 */
import test from 'ava';
import { join } from 'node:path';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer } from '../../helpers/git-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const macro = test.macro(async (t, protocolV2: boolean) => {
  const temp = await makeTempDir('slipway-git-reuse-');
  const root = join(temp.dir, 'repos');
  await createBareRepo(root, 'acme/one');
  await createBareRepo(root, 'acme/two');
  const server = await startGitServer({ root, protocolV2 });
  const work = await createWorkRepo();
  t.teardown(async () => { await server.close(); await work.cleanup(); await temp.cleanup(); });
  await work.write({ 'index.js': 'console.log(1)\n' });
  const head = await work.commit('one');
  await work.push(`${server.url}/acme/one.git`, ['main']);
  await work.push(`${server.url}/acme/two.git`, ['main']);

  const source = createGitSource({
    allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 30_000, tmpDir: temp.dir,
    limits: { archiveEntries: 1000, unpackedBytes: 1 << 28 }, concurrency: 2,
  });
  const connections = server.connections();
  const requests = server.requests.length;
  for (let i = 0; i < 5; i += 1) {
    for (const repo of ['one', 'two']) t.is((await source.resolve(`${server.url}/acme/${repo}.git`, 'main')).sha, head);
  }
  // A fetch in between (its pack read to the end) leaves the connection reusable too.
  const archive = await source.archive({ url: `${server.url}/acme/one.git`, resolved: { sha: head } });
  for await (const _ of archive) { /* drain */ }
  t.is((await source.resolve(`${server.url}/acme/two.git`, 'main')).sha, head);

  const made = server.connections() - connections;
  const asked = server.requests.length - requests;
  t.true(asked >= 13, `${asked} requests`);
  // One connection serves them all; a second may be opened if the server closed an idle one.
  t.true(made <= 2, `${made} connections for ${asked} requests`);
});

test('ref listings and fetches to one host share one kept-alive connection (protocol v0/v1)', macro, false);
test('ref listings and fetches to one host share one kept-alive connection (protocol v2)', macro, true);
