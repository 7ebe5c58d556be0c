/**
 * One Kubernetes API call with the retries a controller needs: answers that say "try
 * again" (5xx, 429, 409 from a write racing another) and dropped connections are
 * retried with jittered exponential backoff; anything else fails at once. Failures
 * leave as SlipwayErrors (fromKubeError), never as client-node's ApiException.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isSlipwayError } from '../../../../../core/errors.ts';
import { fromKubeError, isKubeStatus, kubeFailure } from '../../kube-errors.ts';

/** Options of {@link kubeCall}. */
export interface KubeCallOptions {
  /** Tries in all (default 5: about 3 s of backoff). */
  attempts?: number;
  /** Resolve to undefined instead of failing when the object does not exist. */
  allowNotFound?: boolean;
  signal?: AbortSignal;
}

/** True when retrying the same call may succeed. */
export function isTransientKubeError(error: unknown): boolean {
  // Already translated (by a helper that calls the API itself): its class says.
  if (isSlipwayError(error)) return error.retry === 'backoff';
  const failure = kubeFailure(error);
  if (!failure) return !(error instanceof Error && error.name === 'AbortError');
  return failure.code >= 500 || failure.code === 429 || failure.code === 409;
}

/** Runs `call`, retrying transient failures; `what` names it in the error ("applying Deployment web"). */
export async function kubeCall<T>(what: string, call: () => Promise<T>, options: KubeCallOptions & { allowNotFound: true }): Promise<T | undefined>;
export async function kubeCall<T>(what: string, call: () => Promise<T>, options?: KubeCallOptions): Promise<T>;
export async function kubeCall<T>(what: string, call: () => Promise<T>, options: KubeCallOptions = {}): Promise<T | undefined> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (options.allowNotFound && isKubeStatus(error, 404)) return undefined;
      options.signal?.throwIfAborted();
      if (attempt >= attempts || !isTransientKubeError(error)) throw isSlipwayError(error) ? error : fromKubeError(error, what);
      const base = Math.min(2_000, 100 * 2 ** (attempt - 1));
      await sleep(base / 2 + Math.random() * base / 2, undefined, { signal: options.signal });
    }
  }
}
