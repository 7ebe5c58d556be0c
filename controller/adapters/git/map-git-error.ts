/**
 * Translates what sockets, HTTP and our protocol readers throw into Slipway's
 * git errors at the adapter boundary. Library messages are never passed on: they
 * can embed URLs and response bodies.
 */
import { gitAuthRequired, gitUnreachable, invalidGitUrl } from '../../../core/error-cases.ts';
import { isSlipwayError } from '../../../core/errors.ts';

/** Maps `error` for the repository `displayUrl` (already redacted). */
export function mapGitError(error: unknown, displayUrl: string): Error {
  if (isSlipwayError(error)) return error;
  const code = (error as { code?: string } | undefined)?.code;
  const status = (error as { data?: { statusCode?: number } } | undefined)?.data?.statusCode;
  if (code === 'UserCanceledError' || (code === 'HttpError' && (status === 401 || status === 403))) {
    return gitAuthRequired(displayUrl);
  }
  if (code === 'HttpError' && status === 404) {
    return invalidGitUrl(displayUrl, 'no repository was found at this URL (HTTP 404); check the URL, or configure credentials if it is private');
  }
  if (code === 'HttpError') return gitUnreachable(displayUrl, `the server answered HTTP ${status ?? 'error'}`);
  if (code === 'SmartHttpError' || code === 'ParseError' || code === 'UnknownTransportError') {
    return invalidGitUrl(displayUrl, 'the server did not answer as a git smart-HTTP server');
  }
  return gitUnreachable(displayUrl, 'the transfer failed (corrupt or unexpected answer)');
}
