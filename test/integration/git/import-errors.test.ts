/**
 * What a user sees when a git import cannot succeed: each failure ends in its stable
 * error code, with no credentials in the message.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGitSource, type GitSourceDeps } from '../../../controller/adapters/git/create-git-source.ts';
import { noGitCredentials, parseGitCredentials } from '../../../controller/adapters/git/git-credentials.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../../helpers/git-repo.ts';
import { startGitServer, startHangingServer, type GitServer } from '../../helpers/git-server.ts';

let root: string;
let work: WorkRepo;
let server: GitServer;
let privateServer: GitServer;
let url: string;
let sha: string;
const closers: (() => Promise<void>)[] = [];

const deps = (overrides: Partial<GitSourceDeps> = {}): GitSourceDeps => ({
  allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 26, timeoutMs: 30_000, tmpDir: root, limits: { archiveEntries: 100_000, unpackedBytes: 1 << 30 }, ...overrides,
});

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-git-err-'));
  await createBareRepo(root, 'app');
  server = await startGitServer({ root });
  privateServer = await startGitServer({ root, auth: { username: 'deploy', password: 's3cret-token' } });
  work = await createWorkRepo();
  await work.write({ 'index.js': 'x\n', 'big.bin': randomBytes(200_000), 'apps/web/a.txt': 'a\n' });
  sha = await work.commit('one');
  await work.push(`${server.url}/app.git`);
  url = `${server.url}/app.git`;
});

test.after.always(async () => {
  await Promise.all(closers.map((close) => close()));
  await server?.close();
  await privateServer?.close();
  await work?.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

const failsWith = (code: string) => (error: unknown) => isSlipwayError(error, code);

test('an unknown branch or tag is unknown_revision', async (t) => {
  const error = await t.throwsAsync(createGitSource(deps()).resolve(url, 'no-such-branch'));
  t.true(failsWith('unknown_revision')(error));
  t.regex(error!.message, /no-such-branch/);
});

test('a SHA the repository does not hold is unknown_revision, on resolve and on archive', async (t) => {
  const source = createGitSource(deps());
  const missing = 'deadbeef'.repeat(5);
  t.true(failsWith('unknown_revision')(await t.throwsAsync(source.resolve(url, missing))));
  t.true(failsWith('unknown_revision')(await t.throwsAsync(source.archive({ url, resolved: { sha: missing } }))));
  t.true(failsWith('unknown_revision')(await t.throwsAsync(source.resolve(url, 'deadbee'))));
});

test('a missing subdir is unknown_subdir, and a file is not a subdir', async (t) => {
  const source = createGitSource(deps());
  t.true(failsWith('unknown_subdir')(await t.throwsAsync(source.archive({ url, resolved: { sha }, subdir: 'apps/nope' }))));
  t.true(failsWith('unknown_subdir')(await t.throwsAsync(source.archive({ url, resolved: { sha }, subdir: 'index.js' }))));
  t.true(failsWith('invalid_request')(await t.throwsAsync(source.archive({ url, resolved: { sha }, subdir: '../etc' }))));
});

test('a private repository without credentials is git_auth_required', async (t) => {
  const error = await t.throwsAsync(createGitSource(deps()).resolve(`${privateServer.url}/app.git`, ''));
  t.true(failsWith('git_auth_required')(error));
  t.is((error as { status?: number }).status, 401);
});

test('a private repository with wrong credentials is git_auth_required and never shows the token', async (t) => {
  const credentials = parseGitCredentials(`${privateServer.url.replace('://', '://deploy:wrong-token@')}\n`);
  const error = await t.throwsAsync(createGitSource(deps({ credentials })).resolve(`${privateServer.url}/app.git`, ''));
  t.true(failsWith('git_auth_required')(error));
  t.notRegex(JSON.stringify({ m: error!.message, d: (error as { data?: unknown }).data }), /wrong-token/);
});

test('a private repository with credentials resolves and archives', async (t) => {
  const credentials = parseGitCredentials(`${privateServer.url.replace('://', '://deploy:s3cret-token@')}\n`);
  const source = createGitSource(deps({ credentials }));
  const privateUrl = `${privateServer.url}/app.git`;
  const resolved = await source.resolve(privateUrl, 'main');
  t.is(resolved.sha, sha);
  t.true(await drain(await source.archive({ url: privateUrl, resolved })) > 100_000);
});

test('a loopback host is git_address_refused unless allowed', async (t) => {
  const error = await t.throwsAsync(createGitSource(deps({ allowedHosts: [] })).resolve(url, ''));
  t.true(failsWith('git_address_refused')(error));
  t.regex(error!.message, /SLIPWAY_GIT_ALLOWED_HOSTS/);
});

test('a host name resolving to a private address is refused (lookup seam)', async (t) => {
  const port = new URL(server.url).port;
  const source = createGitSource(deps({ allowedHosts: [], lookup: async () => [{ address: '127.0.0.1', family: 4 }] }));
  t.true(failsWith('git_address_refused')(await t.throwsAsync(source.resolve(`http://git.example.test:${port}/app.git`, ''))));
});

test('a redirect from an allowed host to a private address is refused', async (t) => {
  const target = await startGitServer({ root });
  const redirector = await startGitServer({ root, redirectTo: target.url });
  closers.push(() => redirector.close(), () => target.close());
  const port = new URL(redirector.url).port;
  const source = createGitSource(deps({
    allowedHosts: ['git.example.test'],
    lookup: async () => [{ address: '127.0.0.1', family: 4 }],
  }));
  const error = await t.throwsAsync(source.resolve(`http://git.example.test:${port}/app.git`, ''));
  t.true(failsWith('git_address_refused')(error));
  t.true(redirector.requests.length > 0);
  t.deepEqual(target.requests, [], 'the private server was never contacted');
});

test('a redirect to an allowed host is followed', async (t) => {
  const redirector = await startGitServer({ root, redirectTo: server.url, redirectStatus: 301 });
  closers.push(() => redirector.close());
  const resolved = await createGitSource(deps()).resolve(`${redirector.url}/app.git`, 'main');
  t.is(resolved.sha, sha);
});

test('a transfer larger than maxBytes is git_too_large and leaves no temporary files', async (t) => {
  const tmpDir = await mkdtemp(join(tmpdir(), 'slipway-git-cap-'));
  const source = createGitSource(deps({ maxBytes: 50_000, tmpDir }));
  const error = await t.throwsAsync(source.archive({ url, resolved: { sha } }));
  t.true(failsWith('git_too_large')(error));
  t.regex(error!.message, /SLIPWAY_GIT_MAX_BYTES/);
  t.deepEqual(await readdir(tmpDir), []);
  await rm(tmpDir, { recursive: true, force: true });
});

test('a server that never answers is git_timeout', async (t) => {
  const hanging = await startHangingServer();
  closers.push(() => hanging.close());
  const started = Date.now();
  const error = await t.throwsAsync(createGitSource(deps({ timeoutMs: 300 })).resolve(`${hanging.url}/app.git`, ''));
  t.true(failsWith('git_timeout')(error));
  t.true(Date.now() - started < 5000);
});

test('a closed port is git_unreachable', async (t) => {
  const gone = await startHangingServer();
  await gone.close();
  const error = await t.throwsAsync(createGitSource(deps()).resolve(`${gone.url}/app.git`, ''));
  t.true(failsWith('git_unreachable')(error));
});

test('a URL that is no repository is invalid_git_url', async (t) => {
  const error = await t.throwsAsync(createGitSource(deps()).resolve(`${server.url}/nothing-here.git`, ''));
  t.true(failsWith('invalid_git_url')(error));
});

test('the caller can abort an archive', async (t) => {
  const controller = new AbortController();
  controller.abort(new Error('client went away'));
  const error = await t.throwsAsync(createGitSource(deps()).archive({ url, resolved: { sha }, signal: controller.signal }));
  t.regex(error!.message, /client went away/);
});

test('a fetch the server refuses is git_unreachable with a generic message; the remote text goes to the debug log only', async (t) => {
  // Lists refs from the real server, then refuses every fetch with text of its choosing.
  const remoteText = 'ERR <b>click here</b> https://bot:hunter2@evil.example/help';
  const proxy = createServer(async (req, res) => {
    if (req.method === 'POST') {
      const line = `${remoteText}\n`;
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
      res.end(`${(line.length + 4).toString(16).padStart(4, '0')}${line}`);
      return;
    }
    const upstream = await fetch(`${server.url}${req.url}`, { headers: { 'git-protocol': String(req.headers['git-protocol'] ?? '') } });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  const debug: unknown[] = [];
  const logger: Logger = {
    debug: (obj) => debug.push(obj), info() {}, warn() {}, error() {},
    child() { return logger; },
  };
  const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/app.git`;
  const error = await t.throwsAsync(createGitSource(deps({ logger })).archive({ url: proxied, resolved: { sha } }));
  t.true(failsWith('git_unreachable')(error), String(error));
  t.regex(error!.message, /the server refused the fetch/);
  t.notRegex(JSON.stringify({ m: error!.message, d: (error as { data?: unknown }).data }), /evil|hunter2|click/);
  const logged = JSON.stringify(debug);
  t.regex(logged, /click here/, 'operators can still read what the remote said');
  t.notRegex(logged, /hunter2/, 'redacted');
});
