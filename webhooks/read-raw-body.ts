/**
 * Reads a webhook's raw body with a byte cap and a deadline, before anything parses or
 * verifies it. `@octokit/webhooks`' own middleware buffers the whole body without a
 * limit (GitHub sends up to 25 MB), so the cap must sit in front of it.
 */
import type { IncomingMessage } from 'node:http';
import { tooLarge } from '../core/error-cases.ts';
import { SlipwayError } from '../core/errors.ts';

/** Limits for {@link readRawBody}. */
export interface RawBodyLimits {
  maxBytes: number;
  /** Deadline for the whole body, from the moment reading starts. */
  timeoutMs: number;
}

/** 408: the body did not arrive within the read deadline. */
const bodyTimeout = (ms: number) =>
  new SlipwayError('request_timeout', `the request body did not arrive within ${ms} ms`, { status: 408, retry: 'backoff' });

/**
 * The whole body as one Buffer, never holding more than `maxBytes`. Throws 413
 * (`too_large`) at once when Content-Length is over the cap or when a streamed body
 * crosses it, and 408 (`request_timeout`) when the deadline passes first. On either,
 * the rest of the body is left unread; the caller should close the connection.
 */
export function readRawBody(req: IncomingMessage, limits: RawBodyLimits): Promise<Buffer> {
  const { maxBytes, timeoutMs } = limits;
  const tooBig = () => tooLarge('the webhook body', maxBytes, 'SLIPWAY_WEBHOOK_MAX_BYTES');
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(tooBig());

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error: Error | undefined, body?: Buffer) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      // Stop pulling bytes we will not use; the response closes the connection.
      if (error) req.pause();
      if (error) reject(error);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) return finish(tooBig());
      chunks.push(chunk);
    };
    const onEnd = () => finish(undefined, Buffer.concat(chunks, received));
    const onError = (error: Error) => finish(new SlipwayError('request_aborted', `the request body could not be read: ${error.message}`, { status: 400 }));
    const onClose = () => {
      if (!req.complete) finish(new SlipwayError('request_aborted', 'the client closed the connection before the body ended', { status: 400 }));
    };
    const timer = setTimeout(() => finish(bodyTimeout(timeoutMs)), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
