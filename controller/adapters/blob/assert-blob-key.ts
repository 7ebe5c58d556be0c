/**
 * Blob keys are chosen by Slipway (see `sourceKey`), never by clients; this guard makes
 * a bug that builds a bad key fail loudly instead of writing outside the store's root.
 * Segments starting with `.` are refused too: the filesystem store keeps its temp
 * files and sidecars under such names.
 */
import { SlipwayError } from '../../../core/errors.ts';

/** Returns `key` when it is a relative, `/`-separated path of plain segments; throws otherwise. */
export function assertBlobKey(key: string): string {
  const problem =
    key === '' ? 'it is empty'
    : key.startsWith('/') ? 'it is absolute'
    : key.includes('\\') ? 'it contains a backslash'
    : key.includes('\0') ? 'it contains a NUL byte'
    : key.split('/').some((segment) => segment === '' || segment.startsWith('.')) ? 'it has an empty, "." , ".." or hidden segment'
    : undefined;
  if (problem) {
    throw new SlipwayError('invalid_blob_key', `invalid blob key ${JSON.stringify(key)}: ${problem}`, { status: 500, expose: false, data: { key } });
  }
  return key;
}
