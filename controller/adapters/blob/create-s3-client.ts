/**
 * Builds the S3 client the blob store receives. Checksums only when an operation
 * requires them: the SDK's default (a checksum on every streamed PutObject/UploadPart)
 * fails on Ceph radosgw and other S3 implementations (MinIO users hit the same).
 * Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID and friends).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** Settings of {@link createS3Client}; from SLIPWAY_S3_ENDPOINT, _REGION and _FORCE_PATH_STYLE. */
export interface S3ClientSettings {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** Only for tests and tools; production uses the default chain. */
  credentials?: S3ClientConfig['credentials'];
}

/** An `S3Client` set up for Slipway's blob store. */
export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
}
