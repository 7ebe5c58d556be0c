/**
 * The CLI's one error type. A command throws it; the entry prints the message, the
 * code and what to do next, and exits with `exitCode` (changesets exits in one place).
 * Exit codes: 1 = the operation failed (server problem, network), 2 = the command line
 * or the manifest is wrong and nothing was sent.
 */
import { isSlipwayError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';

/** Options for {@link CliError}. */
export interface CliErrorOptions {
  /** 1 (operation failed, the default) or 2 (usage: nothing was sent). */
  exitCode?: 1 | 2;
  /** Stable machine-readable code, the server's problem code when there is one. */
  code?: string;
  /** What the user can do next. */
  hint?: string;
  /** HTTP status of the server's answer, when the error came from the server. */
  status?: number;
  /** Structured details (a problem's `data`). */
  data?: Record<string, unknown>;
  cause?: unknown;
}

/** An error reported to the user with an exit code and a "what to do next" hint. */
export class CliError extends Error {
  readonly exitCode: 1 | 2;
  readonly code: string;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly data: Record<string, unknown>;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
    this.code = options.code ?? (this.exitCode === 2 ? 'usage' : 'failed');
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    this.status = options.status;
    this.data = options.data ?? {};
  }
}

/** A usage error (exit 2): the command line or manifest is wrong; nothing was sent. */
export function usageError(message: string, hint?: string, code = 'usage'): CliError {
  return new CliError(message, { exitCode: 2, code, hint });
}

/**
 * Turns anything thrown into a {@link CliError}. A SlipwayError raised locally (e.g.
 * `assertName`) is a usage error: it was caught before any request. Anything else is
 * unexpected; its message is redacted and no stack is shown.
 */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (isSlipwayError(error)) {
    return new CliError(error.message, { exitCode: error.status < 500 ? 2 : 1, code: error.code, data: error.data, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`unexpected error: ${message}`, { code: 'internal', cause: error, hint: 'this is a bug in the slipway CLI; please report it with the command you ran' });
}
