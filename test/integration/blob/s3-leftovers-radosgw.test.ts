/**
 * The S3 store's start-up clean-up against a real S3 (Ceph radosgw; fauxqs cannot list
 * multipart uploads): incomplete uploads under Slipway's prefix older than the safe age
 * are aborted, younger ones (another replica may be uploading) and uploads outside the
 * prefix are left alone. Its own bucket, so that aborting everything stale cannot
 * touch another test file's uploads. In CI a missing gateway fails, as the contract does.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createS3Client } from '../../../controller/adapters/blob/create-s3-client.ts';
import { createS3BlobStore } from '../../../controller/adapters/blob/s3-blob-store.ts';
import { inCi, radosgwMissing, radosgwSettings } from '../../helpers/radosgw.ts';

const settings = radosgwSettings();

if (settings === undefined) {
  if (inCi()) test('radosgw is configured in CI', (t) => t.fail(radosgwMissing));
  else test.skip(`S3 leftovers on radosgw (${radosgwMissing})`, () => {});
} else {
  const client = createS3Client({ endpoint: settings.endpoint, region: settings.region, forcePathStyle: true, credentials: settings.credentials });
  const bucket = `${settings.bucket}-leftovers`;
  const HOUR = 60 * 60_000;
  const storeAt = (offsetMs: number) => createS3BlobStore({ client, bucket, partBytes: 5 * 2 ** 20, now: () => Date.now() + offsetMs });

  async function startUpload(key: string, partBytes: number): Promise<string> {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(partBytes, 1) }));
    return UploadId!;
  }
  async function pending(): Promise<string[]> {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (page.Uploads ?? []).map((u) => u.Key!).sort();
  }

  test.before(async () => {
    await storeAt(0).ensureBucket();
    // The bucket is this file's own; an earlier run that failed half-way may have left uploads.
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    await Promise.all((page.Uploads ?? []).map((u) => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }))));
  });

  test.serial('uploads younger than an hour stay; older ones under sources/ are aborted, with their bytes', async (t) => {
    const id = randomUUID();
    const ours = `sources/ns/app/${id}`;
    const foreign = `other/${id}`;
    await startUpload(ours, 1234);
    const foreignId = await startUpload(foreign, 10);
    t.teardown(() => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: foreign, UploadId: foreignId })).then(() => {}, () => {}));

    t.deepEqual(await storeAt(0).cleanLeftovers(), { count: 0, bytes: 0 }, 'a fresh upload may be another replica at work');
    t.deepEqual(await pending(), [foreign, ours].sort());

    t.deepEqual(await storeAt(2 * HOUR).cleanLeftovers(), { count: 1, bytes: 1234 });
    t.deepEqual(await pending(), [foreign], 'only Slipway\'s prefix is cleaned');
  });
}
