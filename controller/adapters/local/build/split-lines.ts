import { StringDecoder } from 'node:string_decoder';

/** Longest line forwarded as one; longer ones are cut into pieces of this size so one line cannot hold megabytes. */
export const MAX_LINE_CHARS = 8192;

/** Receives chunks of a byte stream and calls `onLine` for each complete line; `end` flushes a partial last line. */
export interface LineSplitter {
  write(chunk: Buffer): void;
  end(): void;
}

/**
 * Splits a byte stream into text lines: UTF-8 decoded across chunk boundaries, `\n`
 * or `\r\n` endings removed, over-long lines cut at {@link MAX_LINE_CHARS}, and a last
 * line without a newline still delivered at the end.
 */
export function createLineSplitter(onLine: (text: string) => void, maxLineChars = MAX_LINE_CHARS): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const drain = (final: boolean) => {
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      emit(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
    while (pending.length > maxLineChars) {
      onLine(pending.slice(0, maxLineChars));
      pending = pending.slice(maxLineChars);
    }
    if (final && pending !== '') {
      emit(pending);
      pending = '';
    }
  };
  const emit = (line: string) => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.length <= maxLineChars) return onLine(text);
    for (let start = 0; start < text.length; start += maxLineChars) onLine(text.slice(start, start + maxLineChars));
  };
  return {
    write(chunk) {
      pending += decoder.write(chunk);
      drain(false);
    },
    end() {
      pending += decoder.end();
      drain(true);
    },
  };
}
