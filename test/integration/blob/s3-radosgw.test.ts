/**
 * The S3 blob store against a real S3 implementation, Ceph radosgw, brought up by
 * `.ci/radosgw.sh start`. In CI (CI=true) a missing gateway fails this file: CI is
 * where real S3 is checked. Elsewhere the tests are skipped with the command to run.
 */
import test from 'ava';
import { createS3Client } from '../../../controller/adapters/blob/create-s3-client.ts';
import { createS3BlobStore } from '../../../controller/adapters/blob/s3-blob-store.ts';
import { inCi, radosgwMissing, radosgwSettings } from '../../helpers/radosgw.ts';
import { blobStoreContract, s3Leftovers } from './blob-store-contract.ts';

const settings = radosgwSettings();

if (settings === undefined) {
  if (inCi()) test('radosgw is configured in CI', (t) => t.fail(radosgwMissing));
  else test.skip(`radosgw contract (${radosgwMissing})`, () => {});
} else {
  const client = createS3Client({ endpoint: settings.endpoint, region: settings.region, forcePathStyle: true, credentials: settings.credentials });
  const store = createS3BlobStore({ client, bucket: settings.bucket, partBytes: 5 * 2 ** 20 });
  const started = store.ensureBucket();
  started.catch(() => {});
  blobStoreContract(test, 's3 on radosgw', async () => {
    await started;
    return { store, leftovers: (prefix) => s3Leftovers(client, settings.bucket, prefix) };
  });
}
