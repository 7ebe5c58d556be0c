/**
 * Lingering close for a request refused before its body was read (413 too_large, an
 * upload cut short): keep reading and discarding what the client still sends, for a
 * bounded time and size, then close the socket. The answer goes without
 * `Connection: close`, since with it Node destroys the socket as soon as the answer is
 * written, unread data and all.
 *
 * Why: closing a TCP socket with unread data in its receive buffer makes the kernel
 * send a reset, and a reset makes the client's kernel drop whatever it had received
 * but not yet handed to the client — our answer among it. The CLI, mid-upload, then
 * reports "cannot reach Slipway" instead of "the upload exceeds the limit" (issue 13:
 * the error must say what was wrong). Web servers do the same (nginx's lingering_close).
 */
import type { IncomingMessage } from 'node:http';

/** Bounds of the lingering read: after either, the socket is destroyed. */
export interface LingerLimits {
  /** Longest the server keeps reading after its answer. */
  ms: number;
  /** Most bytes it discards. */
  bytes: number;
}

/** Defaults: a few seconds and a few MiB, enough for the client to read the answer and stop sending. */
export const DEFAULT_LINGER: LingerLimits = { ms: 5_000, bytes: 16 * 1024 * 1024 };

/**
 * Whether lingering can help: not when the client declared a body larger than the
 * bound (a declared 10 GiB is better refused with an immediate close).
 */
export function worthLingering(req: IncomingMessage, limits: LingerLimits = DEFAULT_LINGER): boolean {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  return !req.complete && !req.destroyed && !(declared > limits.bytes);
}

/** Starts discarding the rest of `req`'s body; the socket is destroyed at the first bound reached. */
export function lingerUnreadBody(req: IncomingMessage, limits: LingerLimits = DEFAULT_LINGER): void {
  if (req.complete || req.destroyed) return;
  let discarded = 0;
  const stop = () => {
    clearTimeout(timer);
    req.socket?.destroy();
  };
  const timer = setTimeout(stop, limits.ms);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.bytes) stop();
  });
  // Drained: close gracefully (a FIN, no reset); the client is not expected to reuse a connection it overran.
  req.once('end', () => {
    clearTimeout(timer);
    req.socket?.end();
  });
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
