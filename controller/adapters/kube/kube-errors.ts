/**
 * Kubernetes API errors at the adapter boundary. client-node's `ApiException` embeds
 * response bodies and headers in its message, so nothing of it is passed on as is: we
 * read the status code and the `Status` object's reason and message, and build our own.
 */
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { SlipwayError } from '../../../core/errors.ts';
import { redact } from '../../../core/redact.ts';

/** What a failed Kubernetes call said: HTTP status, `Status.reason`, `Status.message`. */
export interface KubeFailure {
  code: number;
  reason?: string;
  message?: string;
}

/** The failure inside an error thrown by client-node, or undefined when it is not an API answer (a socket error, say). */
export function kubeFailure(error: unknown): KubeFailure | undefined {
  if (!(error instanceof ApiException) && !(typeof error === 'object' && error !== null && 'code' in error && 'body' in error)) return undefined;
  const { code, body } = error as { code: unknown; body: unknown };
  if (typeof code !== 'number') return undefined;
  let status: { reason?: unknown; message?: unknown } = {};
  if (typeof body === 'string') {
    try { status = JSON.parse(body) as typeof status; } catch { /* not JSON: no reason to read */ }
  } else if (typeof body === 'object' && body !== null) {
    status = body as typeof status;
  }
  return {
    code,
    reason: typeof status.reason === 'string' ? status.reason : undefined,
    message: typeof status.message === 'string' ? status.message : undefined,
  };
}

/** True when the error is an API answer with this HTTP status (404, 409, 410, …). */
export function isKubeStatus(error: unknown, code: number): boolean {
  return kubeFailure(error)?.code === code;
}

/**
 * A SlipwayError for an unexpected Kubernetes failure while doing `what`. 422 (a
 * refused object) keeps the API server's message, which names the bad field; other
 * answers say the status and reason; socket errors are retryable.
 */
export function fromKubeError(error: unknown, what: string): SlipwayError {
  const failure = kubeFailure(error);
  if (!failure) {
    const message = redact(String((error as Error)?.message ?? error)).slice(0, 300);
    return new SlipwayError('kubernetes_unavailable', `could not reach the Kubernetes API while ${what}: ${message}`, { status: 503, retry: 'backoff', expose: true, cause: error });
  }
  const said = failure.message ? `: ${redact(failure.message).slice(0, 500)}` : '';
  if (failure.code === 422) return new SlipwayError('invalid_request', `Kubernetes refused the object while ${what}${said}`, { status: 422, cause: error });
  if (failure.code === 403) return new SlipwayError('kubernetes_forbidden', `Slipway's service account may not do this (${what})${said}; check the chart's RBAC`, { status: 500, expose: true, retry: 'stalled', cause: error });
  const transient = failure.code >= 500 || failure.code === 429 || failure.code === 409;
  return new SlipwayError('kubernetes_error', `the Kubernetes API answered ${failure.code}${failure.reason ? ` ${failure.reason}` : ''} while ${what}${said}`, {
    status: transient ? 503 : 502, retry: transient ? 'backoff' : 'stalled', expose: true, cause: error,
  });
}
