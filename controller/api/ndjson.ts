import { Readable } from 'node:stream';
import type { Context } from 'koa';

/**
 * Streams `items` as newline-delimited JSON (`application/x-ndjson`): each line is
 * sent as soon as it exists, so `follow` reads are live. While nothing comes for
 * `heartbeatMs`, an empty line goes out (ndjson readers skip blank lines), so no idle
 * limit — the server's, a proxy's, the client's — ends a follow during a silent build
 * step. Stops reading when the client goes away.
 */
export function sendNdjson(ctx: Context, items: AsyncIterable<unknown>, heartbeatMs = 15_000): void {
  ctx.type = 'application/x-ndjson';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = Readable.from(withHeartbeat(items, heartbeatMs));
}

async function* withHeartbeat(items: AsyncIterable<unknown>, heartbeatMs: number): AsyncGenerator<string> {
  const iterator = items[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  try {
    let next = iterator.next();
    for (;;) {
      const beat = new Promise<'beat'>((resolve) => { timer = setTimeout(() => resolve('beat'), heartbeatMs); });
      const result = await Promise.race([next, beat]);
      clearTimeout(timer);
      if (result === 'beat') {
        yield '\n';
        continue;
      }
      if (result.done) return;
      yield `${JSON.stringify(result.value)}\n`;
      next = iterator.next();
    }
  } finally {
    clearTimeout(timer);
    // Not awaited: a pending read of a follow ends through the request's signal.
    void iterator.return?.()?.catch(() => {});
  }
}

/** Reads a boolean query flag (`?follow=true`, `?follow=1`, `?follow`). */
export function queryFlag(ctx: Context, name: string): boolean {
  const value = ctx.query[name];
  return value === '' || value === 'true' || value === '1';
}
