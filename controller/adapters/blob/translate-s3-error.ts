/**
 * Turns SDK errors into SlipwayErrors at the adapter boundary. Only the S3 error
 * name, the HTTP status and a network error code are kept: SDK messages and their
 * `$response` can carry request headers, so they never reach a client or a log.
 */
import { SlipwayError, isSlipwayError } from '../../../core/errors.ts';

interface SdkLike {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** True for "no such key / bucket" answers (404, NoSuchKey, NotFound, NoSuchBucket). */
export function isMissing(error: unknown): boolean {
  const e = error as SdkLike;
  return e?.$metadata?.httpStatusCode === 404 || e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.name === 'NoSuchBucket';
}

/** A `blob_store_unavailable` (503, retry after a delay) naming what failed; SlipwayErrors pass through. */
export function translateS3Error(error: unknown, action: string): Error {
  if (isSlipwayError(error)) return error;
  const e = error as SdkLike;
  const httpStatus = e?.$metadata?.httpStatusCode;
  const name = e?.code ?? e?.name ?? 'Error';
  const detail = httpStatus === undefined ? name : `HTTP ${httpStatus} ${name}`;
  return new SlipwayError('blob_store_unavailable', `the blob store could not ${action} (${detail}); check the S3 settings and that the service is up`, {
    status: 503, expose: true, retry: 'waiting', data: { s3Error: name, httpStatus },
  });
}
