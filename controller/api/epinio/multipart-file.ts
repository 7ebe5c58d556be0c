/**
 * Streams the `file` part out of a multipart/form-data body, as Epinio's CLI uploads
 * sources (`NewFileUploadRequestHandler`: one part `name="file"`, an uncompressed tar).
 * Nothing is buffered beyond one boundary's length and one part's headers, so the
 * archive checks and size caps downstream see the bytes as they arrive.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { invalidRequest } from '../../../core/error-cases.ts';

const MAX_HEADERS = 8 * 1024;
const MAX_PADDING = 1024;

/** The boundary of a `multipart/form-data` Content-Type, or undefined for other types. */
export function multipartBoundary(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

/**
 * A stream of the bytes of the part named `field`; other parts are skipped. A body
 * without it fails `invalid_request`. `maxBytes` caps the whole body (preamble, other
 * parts, epilogue): downstream caps count only the part's own bytes, and a chunked body
 * has no Content-Length to check up front.
 */
export function multipartFile(boundary: string, field = 'file', maxBytes = Number.POSITIVE_INFINITY, tooLarge?: () => Error): Transform {
  let received = 0;
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The body starts with `--boundary`; a leading CRLF makes the first delimiter like the others.
  let pending: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble';
  let wanted = false;
  let found = false;

  function step(push: (chunk: Buffer) => void): void {
    for (;;) {
      if (state === 'done') {
        pending = Buffer.alloc(0);
        return;
      }
      if (state === 'headers') {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) {
          if (pending.length > MAX_HEADERS) throw invalidRequest('the multipart part headers are too long');
          return;
        }
        const headers = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        const name = /content-disposition:[^\r\n]*;\s*name="([^"]*)"/i.exec(headers)?.[1];
        wanted = !found && name === field;
        found ||= wanted;
        state = 'body';
        continue;
      }
      const at = pending.indexOf(delimiter);
      if (at < 0) {
        // Keep what could be the start of a delimiter; the rest is part data.
        const keep = Math.min(pending.length, delimiter.length - 1);
        const data = pending.subarray(0, pending.length - keep);
        if (state === 'body' && wanted && data.length) push(data);
        pending = pending.subarray(pending.length - keep);
        return;
      }
      if (state === 'body' && wanted && at > 0) push(pending.subarray(0, at));
      const after = pending.subarray(at + delimiter.length);
      if (after.length < 2) {
        pending = pending.subarray(at);
        return;
      }
      if (after[0] === 0x2d && after[1] === 0x2d) {
        state = 'done';
        continue;
      }
      // Transport padding may follow a delimiter before its CRLF (RFC 2046 §5.1.1).
      const lineEnd = after.indexOf('\r\n');
      if (lineEnd < 0) {
        // Padding is a few spaces or tabs; an endless "delimiter line" would otherwise be held whole.
        if (after.length > MAX_PADDING) throw invalidRequest('a multipart boundary line is too long');
        pending = pending.subarray(at);
        return;
      }
      pending = after.subarray(lineEnd + 2);
      state = 'headers';
    }
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      received += chunk.length;
      if (received > maxBytes) return done(tooLarge?.() ?? invalidRequest(`the multipart body is larger than ${maxBytes} bytes`));
      if (state === 'done') return done();
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        step((data) => this.push(data));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      if (!found || state !== 'done') return done(invalidRequest(found ? 'the multipart body ended before its closing boundary' : `the multipart body has no "${field}" part; send the archive as the form file "${field}"`));
      done();
    },
  });
}
