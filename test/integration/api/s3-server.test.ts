/**
 * The server on the S3 blob store (fauxqs here; the blob contract runs on real Ceph
 * radosgw in CI): uploads land in the bucket, and an S3 outage is a clear 503, not a
 * hang or a 500.
 */
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { startS3Emulator, emulatorCredentials, type S3Emulator } from '../../helpers/s3-emulator.ts';
import { goodTree, tgzOf } from '../../helpers/archives.ts';

let emulator: S3Emulator;
let server: TestServer;
test.before(async () => {
  emulator = await startS3Emulator();
  // The SDK reads credentials from the usual AWS variables; the composition root passes none.
  process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey;
  server = await startTestServer({ SLIPWAY_S3_ENDPOINT: emulator.endpoint, SLIPWAY_S3_BUCKET: 'sources' });
  await server.request('POST', '/api/v1/namespaces/workspace/applications', { name: 'web' });
});
test.after.always(async () => {
  await server?.close();
  await emulator?.close().catch(() => {});
});

test.serial('uploads are stored in the bucket and come back byte for byte', async (t) => {
  const info = await (await server.request('GET', '/api/v1/info')).json() as { blobStore: string };
  t.is(info.blobStore, 's3');
  t.is((await server.request('GET', '/readyz', undefined, { auth: false })).status, 200);
  const archive = await tgzOf(goodTree);
  const stored = await server.request('POST', '/api/v1/namespaces/workspace/applications/web/store', undefined, { body: archive, headers: { 'content-type': 'application/gzip' } });
  t.is(stored.status, 200);
  const { blobuid } = await stored.json() as { blobuid: string };
  const download = await server.request('GET', `/api/v1/namespaces/workspace/applications/web/store/${blobuid}`);
  t.true(Buffer.from(await download.arrayBuffer()).equals(archive));
});

test.serial('when S3 goes away: not ready, and uploads fail with 503 blob_store_unavailable', async (t) => {
  await emulator.close();
  t.is((await server.request('GET', '/readyz', undefined, { auth: false })).status, 503);
  const response = await server.request('POST', '/api/v1/namespaces/workspace/applications/web/store', undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  t.is(response.status, 503);
  const problem = await response.json() as { code: string; detail: string };
  t.is(problem.code, 'blob_store_unavailable');
  t.false(problem.detail.includes(emulatorCredentials.secretAccessKey));
});
