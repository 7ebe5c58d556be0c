import test from 'ava';
import { createS3Client } from '../../../controller/adapters/blob/create-s3-client.ts';
import { createS3BlobStore } from '../../../controller/adapters/blob/s3-blob-store.ts';
import { emulatorCredentials, startS3Emulator } from '../../helpers/s3-emulator.ts';
import { blobStoreContract, s3Leftovers } from './blob-store-contract.ts';

const emulator = await startS3Emulator();
test.after.always(() => emulator.close());
const client = createS3Client({ endpoint: emulator.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: emulatorCredentials });
const store = createS3BlobStore({ client, bucket: 'slipway-fauxqs', partBytes: 5 * 2 ** 20 });
const started = store.ensureBucket();

blobStoreContract(test, 's3 on fauxqs', async () => {
  await started;
  return { store, leftovers: (prefix) => s3Leftovers(client, 'slipway-fauxqs', prefix) };
});

test('ensureBucket is idempotent', async (t) => {
  await started;
  await t.notThrowsAsync(store.ensureBucket());
  t.true(await store.ready());
});

test('an unreachable endpoint is blob_store_unavailable without SDK details', async (t) => {
  const dead = createS3BlobStore({
    client: createS3Client({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', forcePathStyle: true, credentials: emulatorCredentials }),
    bucket: 'x-bucket', partBytes: 5 * 2 ** 20,
  });
  const error = await t.throwsAsync(dead.head('sources/a/b/c'));
  t.is((error as { code?: string }).code, 'blob_store_unavailable');
  t.is((error as { status?: number }).status, 503);
  t.notRegex(error!.message, /authorization|signature|x-amz/i);
  t.false(await dead.ready());
});
