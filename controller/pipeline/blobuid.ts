import { invalidRequest } from '../../core/error-cases.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Checks that a client-given blob id has the shape Slipway issues (a UUID), so it can never steer a blob key. */
export function assertBlobuid(blobuid: string): string {
  if (!UUID.test(blobuid)) throw invalidRequest(`blob id ${JSON.stringify(blobuid)} is not one Slipway issued (a UUID)`, { field: 'blobuid' });
  return blobuid;
}
