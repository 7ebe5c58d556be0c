/**
 * Reads an `application/x-ndjson` answer (log streams) line by line as it arrives:
 * `response.body` is a web stream, split on newlines, each line parsed as JSON. Ending
 * the loop early cancels the body, so the connection is released; aborting the
 * request's signal makes the pending read reject.
 */
import { CliError } from './cli-error.ts';

/** One line of an ndjson answer: the text as sent, and what it parses to. */
export interface NdjsonLine<T> {
  raw: string;
  value: T;
}

function parse<T>(raw: string): NdjsonLine<T> {
  try {
    return { raw, value: JSON.parse(raw) as T };
  } catch {
    throw new CliError('the server sent a log line that is not JSON; is this a Slipway server?', { code: 'bad_response' });
  }
}

/** Yields each non-empty line of `body` as it arrives; a last line without newline counts. */
export async function* readNdjson<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<NdjsonLine<T>> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const raw = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (raw.trim() !== '') yield parse<T>(raw);
        newline = buffer.indexOf('\n');
      }
    }
    if (buffer.trim() !== '') yield parse<T>(buffer);
  } finally {
    // The consumer stopped early (or the read failed): let go of the connection.
    await reader.cancel().catch(() => {});
  }
}
