/**
 * The one place errors become HTTP responses: a JSON problem document
 * (`application/problem+json`, RFC 9457 shape plus a stable `code`), and the one place
 * they are logged, since Koa does not log errors a middleware caught.
 */
import { STATUS_CODES } from 'node:http';
import type { Middleware } from 'koa';
import { dirname } from 'node:path';
import { SlipwayError } from '../../core/errors.ts';
import { storageError } from '../../core/error-cases.ts';
import { redact } from '../../core/redact.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { epinioErrors, type EpinioError } from './epinio/epinio-errors.ts';
import { lingerUnreadBody, worthLingering } from './linger-unread-body.ts';

/** The body of every error response. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  data?: Record<string, unknown>;
}

/** What an error response carries: the problem, plus the same error as Epinio's CLI reads it. */
export type ProblemBody = Problem & { errors: EpinioError[] };

/**
 * A full or read-only disk met outside the stores, which translate their own (temp
 * files of uploads and imports): `storage_full` / `storage_read_only` naming the folder.
 * EACCES and EPERM are left alone here: out of a store they can mean anything.
 */
function diskError(error: unknown): SlipwayError | undefined {
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  if (code !== 'ENOSPC' && code !== 'EDQUOT' && code !== 'EROFS') return undefined;
  return storageError(error, typeof path === 'string' ? dirname(path) : 'the data directory (SLIPWAY_DATA_DIR)');
}

/** Turns any thrown value into a {@link Problem}; hides the message of unexpected errors. */
export function toProblem(thrown: unknown): Problem {
  const error = diskError(thrown) ?? thrown;
  if (error instanceof SlipwayError && error.expose) {
    const data = Object.keys(error.data).length ? error.data : undefined;
    return { status: error.status, code: error.code, title: STATUS_CODES[error.status] ?? 'Error', detail: redact(error.message), data };
  }
  return { status: 500, code: 'internal', title: 'Internal Server Error', detail: 'an unexpected error occurred; the server log has the details' };
}

/** Koa middleware rendering errors as problems and logging them. */
export function problemMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new SlipwayError('route_not_found', `no route for ${ctx.method} ${ctx.path}`, { status: 404 });
      }
      // The routers' allowedMethods() answer 405/501 with Koa's plain-text body; every error is a problem document.
      if ((ctx.status === 405 || ctx.status === 501) && (ctx.body === undefined || typeof ctx.body === 'string')) {
        const allow = ctx.response.get('Allow');
        throw ctx.status === 405
          ? new SlipwayError('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}${allow ? `; use ${allow}` : ''}`, { status: 405, data: allow ? { allow: allow.split(/,\s*/) } : {} })
          : new SlipwayError('not_implemented', `${ctx.method} is not supported`, { status: 501 });
      }
    } catch (error) {
      const problem = toProblem(error);
      const log = { status: problem.status, code: problem.code, method: ctx.method, path: ctx.path };
      // 5xx is the server's fault; refused credentials and access are worth an operator's
      // eye; every other 4xx is the client's business (a re-push answers 409 app_exists
      // by design) and only noise at the default level.
      if (problem.status >= 500) logger.error({ ...log, err: redact(String((error as Error)?.stack ?? error)) }, 'request failed');
      else if (problem.status === 401 || problem.status === 403) logger.info(log, problem.detail);
      else logger.debug(log, problem.detail);
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      const body: ProblemBody = { ...problem, errors: epinioErrors(problem) };
      ctx.body = body;
      if (problem.code === 'unauthorized') ctx.set('WWW-Authenticate', 'Basic realm="slipway", charset="UTF-8"');
      // A body left unread (refused for its size) is not drained in full: the rest is read
      // and discarded for a short while so the client gets the answer instead of a reset,
      // then the connection closes (linger-unread-body.ts).
      if (problem.status === 413 || !ctx.req.complete) {
        if (worthLingering(ctx.req)) lingerUnreadBody(ctx.req);
        else ctx.set('Connection', 'close');
      }
    }
  };
}
