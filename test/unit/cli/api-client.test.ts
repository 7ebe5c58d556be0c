import test from 'ava';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createApiClient } from '../../../cli/api-client.ts';
import { CliError } from '../../../cli/cli-error.ts';
import { runMain } from '../../helpers/fake-api.ts';

const servers: Server[] = [];
const dirs: string[] = [];
test.after.always(async () => {
  for (const s of servers) s.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a problem answer becomes a CliError with detail, code, status and data', async (t) => {
  const url = await serve((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ status: 404, code: 'namespace_not_found', title: 'Not Found', detail: 'namespace "x" does not exist', data: { namespace: 'x' } }));
  });
  const error = await t.throwsAsync(createApiClient({ url, user: 'u', password: 'p' }).listApps('x'));
  t.true(error instanceof CliError);
  t.like(error as CliError, { message: 'namespace "x" does not exist', code: 'namespace_not_found', status: 404, exitCode: 1, data: { namespace: 'x' } });
});

test('a non-JSON error page (a proxy) reports the status', async (t) => {
  const url = await serve((_req, res) => { res.writeHead(502, { 'content-type': 'text/html' }); res.end('<html>bad gateway</html>'); });
  const error = await t.throwsAsync(createApiClient({ url }).info());
  t.like(error as CliError, { code: 'http_502', status: 502, message: 'the server answered 502 Bad Gateway' });
  t.regex((error as CliError).hint!, /its log has the details/);
});

test('a 200 that is not JSON says it may not be Slipway', async (t) => {
  const url = await serve((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>welcome to nginx</html>'); });
  const error = await t.throwsAsync(createApiClient({ url }).info());
  t.regex(error.message, /not JSON; is this a Slipway server\?/);
});

test('BasicAuth is sent, JSON goes out, and uploads stream as application/gzip', async (t) => {
  const seen: Array<{ method?: string; auth?: string; type?: string; encoding?: string; body: string }> = [];
  const url = await serve(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], encoding: req.headers['transfer-encoding'], body });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ blobuid: 'b1', format: 'tar.gz', size: body.length }));
  });
  const client = createApiClient({ url, user: 'alice', password: 'pa:ss' });
  await client.importGit('ns', 'app', { giturl: 'https://e.com/r.git', gitrev: '' });
  const stored = await client.storeSource('ns', 'app', Readable.from([Buffer.from('part1'), Buffer.from('part2')]));
  t.deepEqual(stored, { blobuid: 'b1', format: 'tar.gz', size: 10 });
  t.is(seen[0]!.auth, `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`);
  t.is(seen[0]!.type, 'application/json');
  t.deepEqual(JSON.parse(seen[0]!.body), { giturl: 'https://e.com/r.git', gitrev: '' });
  t.is(seen[1]!.type, 'application/gzip');
  t.is(seen[1]!.encoding, 'chunked', 'the body is streamed, not buffered with a length');
  t.is(seen[1]!.body, 'part1part2');
});

test('connection refused says to start the server or log in elsewhere', async (t) => {
  const port = await closedPort();
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-api-'));
  dirs.push(dir);
  const run = await runMain(['apps', 'list', '--url', `http://127.0.0.1:${port}`, '--user', 'u', '--password', 'secret-pw'], { SLIPWAY_CONFIG_DIR: dir }, dir);
  t.is(run.code, 1);
  t.is(run.stderr.split('\n')[0], `error: cannot reach Slipway at http://127.0.0.1:${port}: is \`slipway server\` running? (\`slipway login URL\`) (unreachable)`);
  t.false(run.stderr.includes('secret-pw'));
});

test('credentials in the server URL are refused and never printed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-api-'));
  dirs.push(dir);
  const run = await runMain(['apps', 'list'], { SLIPWAY_CONFIG_DIR: dir, SLIPWAY_URL: 'http://bob:hunter2@127.0.0.1:1' }, dir);
  t.is(run.code, 2);
  t.regex(run.stderr, /must not hold credentials/);
  t.false(run.stderr.includes('hunter2'));
});

test('an unresolvable host is reported as such', async (t) => {
  // .invalid never resolves (RFC 2606), so this needs no network.
  const error = await t.throwsAsync(createApiClient({ url: 'http://slipway.invalid' }).info());
  t.like(error as CliError, { code: 'unreachable' });
  t.regex(error.message, /cannot reach Slipway at http:\/\/slipway.invalid/);
});

test('a server that refuses an upload midway is reported with its problem, not as a network error', async (t) => {
  const url = await serve((req, res) => {
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > 1_000_000 && !res.headersSent) {
        // As Slipway's server answers (controller/api/linger-unread-body.ts): the answer, then
        // the rest of the body read and discarded; closing at once made the client's kernel
        // drop the answer on the reset, now and then.
        res.writeHead(413, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ status: 413, code: 'too_large', detail: 'the upload exceeds the limit of 1000000 bytes (SLIPWAY_MAX_UPLOAD_BYTES)' }));
      }
    });
  });
  async function* fiftyMiB() {
    for (let i = 0; i < 200; i += 1) yield Buffer.alloc(256 * 1024, 1);
  }
  const error = await t.throwsAsync(createApiClient({ url, user: 'u', password: 'p' }).storeSource('ns', 'app', Readable.from(fiftyMiB())));
  t.like(error as CliError, { code: 'too_large', status: 413, exitCode: 1 });
});
