/**
 * The one flow every provider's route shares: cap and read the raw body, parse it only
 * to find the repository, fetch that repository's candidate secrets, verify, and only
 * then act on the mapped outcome: enqueue a hint and answer 202 at once.
 */
import type { Context } from 'koa';
import { SlipwayError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import { normaliseRepoUrl, type PreviewHint, type RefreshHint } from '../core/repo-url.ts';
import type { Logger } from '../core/ports/logger.ts';
import { readRawBody } from './read-raw-body.ts';
import { parsePayload } from './parse-payload.ts';
import type { WebhookOutcome } from './webhook-outcome.ts';

/** What the shared flow needs from the router's caller (see `WebhookDeps`). */
export interface DeliveryDeps {
  secretsFor(provider: RefreshHint['provider'], repositoryUrls: string[]): Promise<string[]>;
  hint(hint: RefreshHint): { matched: number } | 'full';
  /** Hands a verified pull request hint to the watcher (preview apps); absent: pull requests are ignored. */
  previewHint?(hint: PreviewHint): { matched: number } | 'full';
  maxBytes: number;
  readTimeoutMs: number;
  secretsTimeoutMs: number;
  logger: Logger;
}

/** One provider's parts of the flow. */
export interface ProviderSpec {
  provider: RefreshHint['provider'];
  /** The delivery's event name from its headers ('push' for the generic endpoint). */
  event(ctx: Context): string;
  deliveryId(ctx: Context): string | undefined;
  /** Pure mapping of the parsed payload; throws `invalid_payload`. */
  map(event: string, payload: unknown): WebhookOutcome;
  /** Throws 401 unless one of `secrets` signed the delivery. */
  verify(ctx: Context, secrets: string[], body: Buffer, text: string): Promise<void> | void;
}

/** Seconds a sender should wait after a 503. */
const RETRY_AFTER_SECONDS = 10;

const unavailable = (ctx: Context, code: string, message: string) => {
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  return new SlipwayError(code, message, { status: 503, expose: true, retry: 'waiting' });
};

/** Handles one delivery on `ctx` for `spec`; the problem middleware renders what it throws. */
export async function receiveDelivery(ctx: Context, spec: ProviderSpec, deps: DeliveryDeps): Promise<void> {
  requireJson(ctx);
  const event = spec.event(ctx);
  let body: Buffer;
  try {
    body = await readRawBody(ctx.req, { maxBytes: deps.maxBytes, timeoutMs: deps.readTimeoutMs });
  } catch (error) {
    // The rest of the body stays unread: close the connection rather than drain it.
    ctx.set('Connection', 'close');
    throw error;
  }
  const { text, value } = parsePayload(body);
  const outcome = spec.map(event, value);
  const secrets = await withDeadline(deps.secretsFor(spec.provider, outcome.repositoryUrls), deps.secretsTimeoutMs,
    () => unavailable(ctx, 'webhook_unavailable', 'the webhook secrets could not be looked up in time; retry later'));
  await spec.verify(ctx, secrets, body, text);

  const deliveryId = spec.deliveryId(ctx);
  const log = deps.logger.child({ provider: spec.provider, event, ...(deliveryId ? { delivery: deliveryId } : {}) });
  if (outcome.kind === 'ping') {
    ctx.status = 200;
    ctx.body = outcome.zen === undefined ? { ok: true } : { ok: true, zen: outcome.zen };
    log.info('webhook ping');
    return;
  }
  if (outcome.kind === 'ignored') {
    ctx.status = 202;
    ctx.body = { ignored: outcome.reason };
    log.info({ reason: outcome.reason }, 'webhook ignored');
    return;
  }
  if (outcome.kind === 'pull_request') return previewDelivery(ctx, spec, deps, outcome, deliveryId, log);
  const hint: RefreshHint = { provider: spec.provider, repositoryUrls: outcome.repositoryUrls, branch: outcome.branch };
  if (outcome.after !== undefined) hint.after = outcome.after;
  if (deliveryId !== undefined) hint.deliveryId = deliveryId;
  const result = deps.hint(hint);
  const repository = displayRepository(outcome.repositoryUrls);
  if (result === 'full') {
    log.warn({ repository, branch: outcome.branch }, 'webhook refused: watch queue full');
    throw unavailable(ctx, 'queue_full', 'the watch queue is full; retry later (polling also picks the change up)');
  }
  ctx.status = 202;
  ctx.body = result.matched > 0 ? { queued: result.matched } : { queued: 0, ignored: `no app watches ${repository} ${outcome.branch}` };
  log.info({ repository, branch: outcome.branch, after: outcome.after, queued: result.matched }, 'webhook queued');
}

/** A verified pull request delivery: queue a preview check of every app with previews of that repository. */
function previewDelivery(ctx: Context, spec: ProviderSpec, deps: DeliveryDeps, outcome: Extract<WebhookOutcome, { kind: 'pull_request' }>, deliveryId: string | undefined, log: Logger): void {
  const repository = displayRepository(outcome.repositoryUrls);
  if (!deps.previewHint || spec.provider === 'generic') {
    ctx.status = 202;
    ctx.body = { ignored: 'this server does not run preview apps' };
    return;
  }
  const { kind: _kind, ...fields } = outcome;
  const result = deps.previewHint({ ...fields, provider: spec.provider, ...(deliveryId ? { deliveryId } : {}) });
  if (result === 'full') {
    log.warn({ repository, number: outcome.number }, 'webhook refused: watch queue full');
    throw unavailable(ctx, 'queue_full', 'the watch queue is full; retry later (polling also picks the change up)');
  }
  ctx.status = 202;
  ctx.body = result.matched > 0 ? { queued: result.matched } : { queued: 0, ignored: `no app of ${repository} has previews on` };
  log.info({ repository, number: outcome.number, action: outcome.action, fork: outcome.fork, queued: result.matched }, 'pull request webhook queued');
}

/** 415 unless the body is declared as JSON (or not declared at all); GitHub can be set to send form bodies. */
function requireJson(ctx: Context): void {
  const type = ctx.get('Content-Type').split(';')[0]!.trim().toLowerCase();
  if (type && type !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(type)) {
    throw new SlipwayError('unsupported_media_type', `webhook bodies must be application/json, not ${type.slice(0, 80)}; change the webhook's content type`, { status: 415 });
  }
  const encoding = ctx.get('Content-Encoding').trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new SlipwayError('unsupported_media_type', 'compressed webhook bodies are not accepted', { status: 415 });
  }
}

/** The repository as `host/owner/name` for messages, never with credentials. */
function displayRepository(urls: string[]): string {
  for (const url of urls) {
    const normal = normaliseRepoUrl(url);
    if (normal) return normal;
  }
  return redact(urls[0] ?? 'unknown repository').slice(0, 200);
}

/** `promise`, or the error `onTimeout` makes when it has not settled within `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A header value safe to log and pass on (ids are short tokens), or undefined. */
export function headerToken(ctx: Context, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = ctx.get(name).trim();
    if (value) return /^[\w.:-]{1,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}
