import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { Readable } from 'node:stream';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { startGitServer, type GitServer } from '../../helpers/git-server.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../../helpers/git-repo.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

let server: TestServer;
let guarded: TestServer;
let gitServer: GitServer;
let repo: WorkRepo;
let repoUrl: string;
const shas: Record<string, string> = {};
const cleanups: (() => Promise<void>)[] = [];

test.before(async () => {
  const root = await makeTempDir('slipway-repos-');
  cleanups.push(root.cleanup);
  await createBareRepo(root.dir, 'mono');
  gitServer = await startGitServer({ root: root.dir });
  repoUrl = `${gitServer.url}/mono.git`;
  repo = await createWorkRepo();
  await repo.write({ 'README.md': '# mono\n', 'services/api/index.js': 'console.log(1)\n', 'services/api/run.sh': { content: '#!/bin/sh\n', executable: true }, 'web/index.html': '<h1>v1</h1>\n' });
  shas.first = await repo.commit('first');
  await repo.tag('v1', { annotated: true });
  await repo.write({ 'web/index.html': '<h1>v2</h1>\n' });
  shas.main = await repo.commit('second');
  await repo.branch('feature/x');
  await repo.write({ 'feature.txt': 'x\n' });
  shas.feature = await repo.commit('feature');
  await repo.push(repoUrl);
  server = await startTestServer({ SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1' });
  guarded = await startTestServer();
  for (const s of [server, guarded]) {
    await s.request('POST', '/api/v1/namespaces/workspace/applications', { name: 'mono' });
  }
});
test.after.always(async () => {
  await Promise.all([server?.close(), guarded?.close(), gitServer?.close(), repo?.cleanup(), ...cleanups.map((c) => c())]);
});

const importPath = '/api/v1/namespaces/workspace/applications/mono/import-git';

async function entriesOf(s: TestServer, blobuid: string): Promise<string[]> {
  const response = await s.request('GET', `/api/v1/namespaces/workspace/applications/mono/store/${blobuid}`);
  const names: string[] = [];
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    if (header.type === 'file') names.push(header.name);
    stream.resume();
    stream.on('end', next);
  });
  Readable.from(gunzipSync(Buffer.from(await response.arrayBuffer()))).pipe(extract);
  await new Promise<void>((resolve) => extract.on('finish', () => resolve()));
  return names.sort();
}

test.serial('JSON import of the default branch answers the full SHA and the branch', async (t) => {
  const response = await server.request('POST', importPath, { giturl: repoUrl, gitrev: '' });
  t.is(response.status, 200, await response.clone().text());
  const body = await response.json() as { blobuid: string; revision: string; branch: string };
  t.deepEqual({ revision: body.revision, branch: body.branch }, { revision: shas.main, branch: 'main' });
  t.deepEqual(await entriesOf(server, body.blobuid), ['README.md', 'services/api/index.js', 'services/api/run.sh', 'web/index.html']);
  const app = await (await server.request('GET', '/api/v1/namespaces/workspace/applications/mono')).json() as any;
  t.like(app.spec.origin, { kind: 'git', url: repoUrl, branch: 'main' });
  t.like(app.status.source, { blobuid: body.blobuid, revision: shas.main, branch: 'main', format: 'tar.gz' });
});

test.serial('form-encoded import (as Epinio sends it) of a tag with a subdir', async (t) => {
  const form = new URLSearchParams({ giturl: repoUrl, gitrev: 'v1', subdir: 'services/api' });
  const response = await server.request('POST', importPath, undefined, { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.is(response.status, 200, await response.clone().text());
  const body = await response.json() as { blobuid: string; revision: string };
  t.is(body.revision, shas.first);
  t.deepEqual(await entriesOf(server, body.blobuid), ['index.js', 'run.sh']);
});

test.serial('a branch with a slash and a short SHA', async (t) => {
  const branch = await (await server.request('POST', importPath, { giturl: repoUrl, gitrev: 'feature/x' })).json() as any;
  t.like(branch, { revision: shas.feature, branch: 'feature/x' });
  const short = await (await server.request('POST', importPath, { giturl: repoUrl, gitrev: shas.first!.slice(0, 8) })).json() as any;
  t.is(short.revision, shas.first);
});

async function blobFiles(s: TestServer) {
  const entries = await readdir(join(s.dataDir, 'blobs'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

const refused = test.macro({
  async exec(t, body: Record<string, string>, status: number, code: string, useGuarded = false) {
    const s = useGuarded ? guarded : server;
    if (body.giturl === 'URL') body = { ...body, giturl: repoUrl };
    const before = await blobFiles(s);
    const response = await s.request('POST', importPath, body);
    const text = await response.text();
    t.is(response.status, status, text);
    t.is(JSON.parse(text).code, code);
    t.false(text.includes('hunter2'), 'no credential in the answer');
    t.is(await blobFiles(s), before, 'nothing was stored');
  },
  title: (title = '') => `refused import: ${title}`,
});

test.serial('an empty URL', refused, { giturl: '', gitrev: 'nope' }, 400, 'invalid_request');
test.serial('a revision naming no ref or commit', refused, { giturl: 'URL', gitrev: 'no-such-branch' }, 422, 'unknown_revision');
test.serial('a missing SHA', refused, { giturl: 'URL', gitrev: 'a'.repeat(40) }, 422, 'unknown_revision');
test.serial('a revision starting with -', refused, { giturl: 'URL', gitrev: '--upload-pack=touch /tmp/x' }, 400, 'invalid_request');
test.serial('an unknown subdir', refused, { giturl: 'URL', gitrev: 'main', subdir: 'nope' }, 422, 'unknown_subdir');
test.serial('a traversing subdir', refused, { giturl: 'URL', gitrev: 'main', subdir: '../etc' }, 400, 'invalid_request');
test.serial('a file:// URL', refused, { giturl: 'file:///etc', gitrev: '' }, 400, 'invalid_git_url');
test.serial('an ext:: URL', refused, { giturl: 'ext::sh -c touch% /tmp/pwned', gitrev: '' }, 400, 'invalid_git_url');
test.serial('an ssh:// URL with a password (SSH logs in with deploy keys only)', refused, { giturl: 'ssh://git:hunter2@github.com/o/r.git', gitrev: '' }, 400, 'invalid_git_url');
test.serial('credentials in the URL', refused, { giturl: 'https://bob:hunter2@github.com/o/r.git', gitrev: '' }, 400, 'invalid_git_url');
test.serial('loopback when not allowed', refused, { giturl: 'URL', gitrev: 'main' }, 403, 'git_address_refused', true);
test.serial('the cloud metadata address', refused, { giturl: 'http://169.254.169.254/latest/meta-data', gitrev: '' }, 403, 'git_address_refused', true);
test.serial('a decimal-encoded loopback address', refused, { giturl: 'http://2130706433/r.git', gitrev: '' }, 403, 'git_address_refused', true);
test.serial('a private 10.x address', refused, { giturl: 'http://10.1.2.3/r.git', gitrev: '' }, 403, 'git_address_refused', true);
test.serial('IPv6 loopback', refused, { giturl: 'http://[::1]/r.git', gitrev: '' }, 403, 'git_address_refused', true);
