/**
 * A Koa app with the problem middleware and the webhook router on 127.0.0.1:0, a
 * recording `hint` fake that matches watched repositories the way the watcher will
 * (normalised URL + branch), signing helpers, and a raw HTTP client that can send
 * bodies slowly or without end.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { problemMiddleware } from '../../../../controller/api/problem-middleware.ts';
import { silentLogger, type Logger } from '../../../../core/ports/logger.ts';
import { normaliseRepoUrl, type RefreshHint } from '../../../../core/repo-url.ts';
import { createWebhookRouter, type WebhookDeps } from '../../../../webhooks/create-webhook-router.ts';

/** Options of {@link startWebhookServer}. */
export interface WebhookServerOptions {
  /** Global secrets per provider. */
  secrets?: Partial<Record<RefreshHint['provider'], string[]>>;
  /** Per-repository secrets, keyed by normalised URL. */
  repoSecrets?: Record<string, string[]>;
  /** Watched `host/owner/repo` + branch pairs. */
  watched?: { repo: string; branch: string }[];
  full?: boolean;
  maxBytes?: number;
  readTimeoutMs?: number;
  secretsTimeoutMs?: number;
  secretsFor?: WebhookDeps['secretsFor'];
  logger?: Logger;
}

/** A running webhook server and what its fakes recorded. */
export interface WebhookServer {
  url: string;
  port: number;
  hints: RefreshHint[];
  close(): Promise<void>;
}

/** Starts the server. */
export async function startWebhookServer(options: WebhookServerOptions = {}): Promise<WebhookServer> {
  const hints: RefreshHint[] = [];
  const router = createWebhookRouter({
    secretsFor: options.secretsFor ?? (async (provider, urls) => {
      const perRepo = urls.flatMap((url) => options.repoSecrets?.[normaliseRepoUrl(url) ?? ''] ?? []);
      return [...(options.secrets?.[provider] ?? []), ...new Set(perRepo)];
    }),
    hint(hint) {
      if (options.full) return 'full';
      hints.push(hint);
      const repos = new Set(hint.repositoryUrls.map(normaliseRepoUrl));
      return { matched: (options.watched ?? []).filter((w) => w.branch === hint.branch && repos.has(w.repo)).length };
    },
    maxBytes: options.maxBytes ?? 1024 * 1024,
    readTimeoutMs: options.readTimeoutMs ?? 5000,
    ...(options.secretsTimeoutMs === undefined ? {} : { secretsTimeoutMs: options.secretsTimeoutMs }),
    logger: options.logger ?? silentLogger,
  });
  const app = new Koa();
  app.use(problemMiddleware(silentLogger));
  app.use(router.routes());
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hints,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A logger that records every line with its bindings. */
export function recordingLogger(lines: Record<string, unknown>[], bindings: Record<string, unknown> = {}): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) => {
    lines.push({ level, ...bindings, ...(typeof obj === 'string' ? { msg: obj } : { ...obj, msg }) });
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (more) => recordingLogger(lines, { ...bindings, ...more }) };
}

/** Hex HMAC-SHA256 of `body`. */
export const hmacHex = (secret: string, body: string | Buffer) => createHmac('sha256', secret).update(body).digest('hex');
/** GitHub's `X-Hub-Signature-256` value. */
export const githubSignature = (secret: string, body: string | Buffer) => `sha256=${hmacHex(secret, body)}`;
/** GitHub's legacy `X-Hub-Signature` (SHA-1) value. */
export const githubSha1Signature = (secret: string, body: string | Buffer) => `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
/** A fake delivery id. */
export const deliveryId = (seed: string) => createHash('sha1').update(seed).digest('hex').slice(0, 32);

/** Headers of a signed GitHub delivery. */
export function githubHeaders(event: string, secret: string, body: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': deliveryId(body), 'x-hub-signature-256': githubSignature(secret, body) };
}

/** POSTs `body` with `headers` and returns status, JSON body and headers. */
export async function post(url: string, headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) as Record<string, unknown> : {}, headers: response.headers };
}

/** The answer of a {@link rawPost}. */
export interface RawAnswer { status: number; headers: IncomingHttpHeaders; body: string; ms: number }

/**
 * POSTs with node:http so the body can be written in pieces; `write(send, done)` is
 * called once, `send` writes a piece (false once the answer arrived), and the answer
 * resolves as soon as the server responds, even mid-body.
 */
export function rawPost(url: string, headers: Record<string, string>, write: (send: (chunk: Buffer | string) => boolean, end: () => void) => void): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => { body += text; });
      res.on('end', () => { resolve({ status: res.statusCode!, headers: res.headers, body, ms: performance.now() - started }); req.destroy(); });
      res.on('error', reject);
    });
    // Writes after the server closed the socket fail with EPIPE/ECONNRESET; the answer is what counts.
    req.on('error', (error) => { if (!answered) reject(error); });
    req.flushHeaders();
    write((chunk) => {
      if (answered || req.destroyed) return false;
      req.write(chunk);
      return true;
    }, () => { if (!answered && !req.destroyed) req.end(); });
  });
}

export { githubExample } from '../../../helpers/github-delivery.ts';

/** A fixture under test/fixtures/webhooks, parsed. */
export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/webhooks/${name}`, import.meta.url), 'utf8')) as Record<string, any>;
}
