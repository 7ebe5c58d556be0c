import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { badUploads, goodTree, testLimits, tgzOf, zipOf, tarOf } from '../../helpers/archives.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer({
    SLIPWAY_MAX_UPLOAD_BYTES: String(testLimits.uploadBytes),
    SLIPWAY_MAX_UNPACKED_BYTES: String(testLimits.unpackedBytes),
    SLIPWAY_MAX_ARCHIVE_ENTRIES: String(testLimits.archiveEntries),
  });
});
test.after.always(() => server?.close());

const appPath = (app: string) => `/api/v1/namespaces/workspace/applications/${app}`;

async function createApp(name: string) {
  const response = await server.request('POST', '/api/v1/namespaces/workspace/applications', { name });
  if (response.status !== 201) throw new Error(`create ${name}: ${response.status}`);
}

async function upload(app: string, body: Buffer | Readable, contentType = 'application/octet-stream') {
  const stream = body instanceof Readable ? (Readable.toWeb(body) as ReadableStream) : body;
  return server.request('POST', `${appPath(app)}/store`, undefined, { body: stream as RequestInit['body'], headers: { 'content-type': contentType } });
}

async function storedFiles(): Promise<string[]> {
  const entries = await readdir(join(server.dataDir, 'blobs'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

const roundTrip = test.macro({
  async exec(t, format: string, build: () => Promise<Buffer> | Buffer, contentType: string) {
    const app = `rt-${format.replace('.', '')}`;
    await createApp(app);
    const bytes = await build();
    const response = await upload(app, bytes, 'application/octet-stream');
    t.is(response.status, 200, await response.clone().text());
    const stored = await response.json() as { blobuid: string; format: string; size: number };
    t.is(stored.format, format, 'the type is sniffed from the bytes, not the header');
    t.is(stored.size, bytes.length);
    const shown = await (await server.request('GET', appPath(app))).json() as any;
    t.like(shown.status.source, { blobuid: stored.blobuid, format, size: bytes.length });
    t.deepEqual(shown.spec.origin, { kind: 'path' });
    const download = await server.request('GET', `${appPath(app)}/store/${stored.blobuid}`);
    t.is(download.status, 200);
    t.is(download.headers.get('content-type'), contentType);
    t.true(Buffer.from(await download.arrayBuffer()).equals(bytes), 'the download is exactly what was uploaded');
  },
  title: (_t, format: string) => `a ${format} upload is stored and downloaded byte for byte`,
});

test(roundTrip, 'tar.gz', () => tgzOf(goodTree), 'application/gzip');
test(roundTrip, 'tar', () => tarOf(goodTree), 'application/x-tar');
test(roundTrip, 'zip', () => zipOf(goodTree), 'application/zip');

// Each refused upload runs against its own app, so "nothing stored" can be checked per case.
const refusedOverHttp = badUploads.filter((b) => !b.limits && !/gzip bomb/.test(b.title));
for (const [index, bad] of refusedOverHttp.entries()) {
  test.serial(`refused over HTTP: ${bad.title}`, async (t) => {
    const app = `bad-${index}`;
    await createApp(app);
    const before = await storedFiles();
    const response = await upload(app, await bad.body());
    t.true(response.status >= 400 && response.status < 500, `status ${response.status}`);
    t.is(response.headers.get('content-type'), 'application/problem+json');
    t.is((await response.json() as { code: string }).code, bad.code);
    t.deepEqual(await storedFiles(), before, 'nothing was stored');
    const shown = await (await server.request('GET', appPath(app))).json() as any;
    t.is(shown.status.source, undefined, 'the app points at no source');
  });
}

test.serial('a Content-Length over the cap is refused before reading the body', async (t) => {
  await createApp('too-big');
  const response = await server.request('POST', `${appPath('too-big')}/store`, undefined, {
    body: Buffer.alloc(testLimits.uploadBytes + 1), headers: { 'content-type': 'application/gzip' },
  });
  t.is(response.status, 413);
  t.like(await response.json(), { code: 'too_large', data: { setting: 'SLIPWAY_MAX_UPLOAD_BYTES' } });
});

test('uploading to an app that does not exist is a 404 and stores nothing', async (t) => {
  const before = await storedFiles();
  const response = await upload('ghost', await tgzOf(goodTree));
  t.is(response.status, 404);
  t.is((await response.json() as { code: string }).code, 'app_not_found');
  t.deepEqual(await storedFiles(), before);
});

test('a blob id that is not a UUID is refused; an unknown one is a 404', async (t) => {
  await createApp('dl');
  const bad = await server.request('GET', `${appPath('dl')}/store/..%2F..%2Fusers.json`);
  t.is(bad.status, 400);
  const unknown = await server.request('GET', `${appPath('dl')}/store/00000000-0000-4000-8000-000000000000`);
  t.is(unknown.status, 404);
  t.is((await unknown.json() as { code: string }).code, 'blob_not_found');
});
