import type { Context } from 'koa';

/** An AbortSignal that fires when the client goes away before the response is sent, so uploads and imports stop and clean up. */
export function requestSignal(ctx: Context): AbortSignal {
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}
