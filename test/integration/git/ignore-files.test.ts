/**
 * `.slipwayignore` and `.epinioignore` at the archive root (the repository root, or the
 * subdir) leave their paths out of a git import, as they do for a directory push.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitSource } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { archiveEntries, createBareRepo, createWorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer } from '../../helpers/git-server.ts';
import { collect } from '../../helpers/revision-repo.ts';

test('ignore files at the archive root exclude files and folders', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-git-ignore-'));
  const server = await startGitServer({ root });
  const work = await createWorkRepo();
  t.teardown(async () => { await server.close(); await work.cleanup(); await rm(root, { recursive: true, force: true }); });
  await createBareRepo(root, 'app');
  await work.write({
    '.slipwayignore': 'secret.txt\nlogs/\n',
    '.epinioignore': '*.tmp\n',
    'index.js': 'x\n',
    'secret.txt': 'no\n',
    'scratch.tmp': 'no\n',
    'logs/today.log': 'no\n',
    'src/keep.js': 'yes\n',
    'src/also.tmp': 'no\n',
    'web/.slipwayignore': 'dist/\n',
    'web/index.html': 'yes\n',
    'web/dist/bundle.js': 'no\n',
    'web/secret.txt': 'kept in a subdir archive: only the archive root ignore files apply\n',
  });
  const sha = await work.commit('one');
  await work.push(`${server.url}/app.git`);
  const source = createGitSource({ allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 30_000, tmpDir: root, limits: { archiveEntries: 100_000, unpackedBytes: 1 << 30 } });
  const url = `${server.url}/app.git`;

  const paths = async (subdir?: string) =>
    (await archiveEntries(await collect(await source.archive({ url, resolved: { sha }, subdir })))).map((e) => e.path);
  t.deepEqual(await paths(), [
    '.epinioignore', '.slipwayignore', 'index.js', 'src', 'src/keep.js',
    'web', 'web/.slipwayignore', 'web/dist', 'web/dist/bundle.js', 'web/index.html',
  ]);
  t.deepEqual(await paths('web'), ['.slipwayignore', 'index.html', 'secret.txt']);
});
