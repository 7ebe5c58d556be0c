/**
 * Request bodies: JSON or form-encoded (Epinio's CLI sends import-git as a form),
 * capped, then validated with a zod schema whose first problem names the field.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { invalidRequest, tooLarge } from '../../core/error-cases.ts';
import { SlipwayError } from '../../core/errors.ts';

/**
 * Body parser for JSON and form bodies with a size cap. A declared Content-Length over
 * the cap is refused before a byte is read: the parser's own check goes through Koa's
 * `request.length`, which truncates to 32 bits (`~~`), so 10 GiB passed as 2 GiB of
 * "negative" length and the connection was held until the idle limit (issue 9.10).
 */
export function parseJsonOrForm(maxBytes = 1024 * 1024): Middleware {
  const parse = jsonOrFormParser(maxBytes);
  return (ctx, next) => {
    const declared = ctx.get('content-length');
    if (declared !== '' && !(Number(declared) <= maxBytes)) throw tooLarge('the request body', maxBytes, 'JSON and form bodies');
    // Epinio's CLI sends its JSON bodies with no Content-Type at all (its client's
    // `NewJSONRequestHandler` never sets one): a body without a type is read as JSON.
    const hasBody = (declared !== '' && declared !== '0') || ctx.get('transfer-encoding') !== '';
    if (hasBody && ctx.get('content-type') === '') ctx.req.headers['content-type'] = 'application/json';
    return parse(ctx, next);
  };
}

function jsonOrFormParser(maxBytes: number): Middleware {
  const limit = `${maxBytes}b`;
  return bodyParser({
    enableTypes: ['json', 'form'], jsonLimit: limit, formLimit: limit, encoding: 'utf-8',
    // Parser errors carry raw-body/co-body shapes; translate them to our codes here.
    onError(error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw tooLarge('the request body', maxBytes, 'JSON and form bodies');
      if (status === 415) throw new SlipwayError('unsupported_media_type', 'send the body as application/json or application/x-www-form-urlencoded', { status: 415 });
      throw invalidRequest('the request body is not valid JSON or form data; send application/json or application/x-www-form-urlencoded');
    },
  }) as unknown as Middleware;
}

/** Validates the parsed body against `schema`, throwing `invalid_request` naming the field. */
export function readBody<S extends z.ZodType>(ctx: Context, schema: S): z.infer<S> {
  const body = (ctx.request as { body?: unknown }).body ?? {};
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    throw invalidRequest(`${field}: ${issue.message}`, { field });
  }
  return result.data;
}
