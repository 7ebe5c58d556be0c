/**
 * The one error type of Slipway.
 *
 * Every error a user can cause carries a stable machine-readable `code`, an HTTP
 * `status`, Koa's `expose` flag (true: the message is safe to show a client) and
 * structured `data`. `retry` classifies the error by what a reconcile loop does next,
 * as Flux does: `stalled` (the user must change something: no retry), `waiting`
 * (retry after a delay), `backoff` (anything else: retry with backoff).
 */
export type RetryClass = 'stalled' | 'waiting' | 'backoff';

/** Options for {@link SlipwayError}. */
export interface SlipwayErrorOptions {
  status?: number;
  expose?: boolean;
  data?: Record<string, unknown>;
  retry?: RetryClass;
  cause?: unknown;
}

/** Base class of every error Slipway raises on purpose. */
export class SlipwayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly data: Record<string, unknown>;
  readonly retry: RetryClass;

  constructor(code: string, message: string, options: SlipwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.data = options.data ?? {};
    this.retry = options.retry ?? (this.status >= 400 && this.status < 500 ? 'stalled' : 'backoff');
  }
}

/** True when `error` is a {@link SlipwayError}, optionally with the given code. */
export function isSlipwayError(error: unknown, code?: string): error is SlipwayError {
  return error instanceof SlipwayError && (code === undefined || error.code === code);
}
