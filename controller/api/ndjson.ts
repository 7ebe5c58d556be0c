import { Readable } from 'node:stream';
import type { Context } from 'koa';

/**
 * Streams `items` as newline-delimited JSON (`application/x-ndjson`): each line is
 * sent as soon as it exists, so `follow` reads are live. Stops reading when the client
 * goes away.
 */
export function sendNdjson(ctx: Context, items: AsyncIterable<unknown>): void {
  ctx.type = 'application/x-ndjson';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = Readable.from((async function* lines() {
    for await (const item of items) yield `${JSON.stringify(item)}\n`;
  })());
}

/** Reads a boolean query flag (`?follow=true`, `?follow=1`, `?follow`). */
export function queryFlag(ctx: Context, name: string): boolean {
  const value = ctx.query[name];
  return value === '' || value === 'true' || value === '1';
}
