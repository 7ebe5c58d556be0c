/** Test helper: the Kubernetes Status of a client-node call that is expected to fail. */
import { ApiException } from '@kubernetes/client-node';

/** The Status body a failed client-node call received (throws if the call succeeds). */
export async function apiFailure(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string; kind: string; status: string; details?: { causes?: { field?: string; message: string }[] } }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiException) return typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    throw e;
  }
  throw new Error('the call succeeded');
}
