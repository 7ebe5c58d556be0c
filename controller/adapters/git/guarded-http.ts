/**
 * The HTTP transport of git imports, on node:http/https, that cannot be turned
 * against the cluster (SSRF). (isomorphic-git, used here before, had a Node plugin that
 * followed redirects blindly and filtered no address.) This one:
 * - resolves through the address guard inside the socket's own `lookup`, and checks
 *   the peer address once connected, so DNS rebinding cannot swap in a private one;
 * - follows at most `maxRedirects` redirects itself, re-checking every hop, refusing
 *   https→http downgrades and dropping Authorization when the origin changes;
 * - caps the bytes of all responses of one operation (`git_too_large`), stops when
 *   the operation's signal fires (`git_timeout` or the caller's abort), and maps socket
 *   errors to `git_unreachable`. Messages carry redacted URLs and error codes only.
 * Connections are kept alive per host across operations when the caller passes
 * {@link GitAgents} (10,000 watched repositories on one host are polled over a few
 * connections, not one new TCP and TLS handshake per ref listing); a pooled connection
 * was guarded when it was made, and a response is given back to the pool only when it
 * was read to its end.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { gitTooLarge, gitUnreachable, invalidGitUrl } from '../../../core/error-cases.ts';
import { isSlipwayError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import { redactUrl } from '../../../core/redact.ts';
import type { AddressGuard } from './address-guard.ts';

/** One request of a git exchange. */
export interface GitHttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  onProgress?: unknown;
  signal?: unknown;
}

/** Its response; the body is read as a stream and never collected. */
export interface GitHttpResponse {
  url: string;
  method: string;
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
  body: AsyncIterableIterator<Uint8Array>;
  /** Closes the connection without reading the rest of the body (which may be endless). */
  discard(): void;
}

/** The transport every git request of one operation goes through. */
export interface GitHttpClient {
  request(request: GitHttpRequest): Promise<GitHttpResponse>;
}

/** Options for {@link createGuardedHttp}; one client serves one operation (resolve or archive). */
export interface GuardedHttpOptions {
  guard: AddressGuard;
  /** Cap on the bytes of all responses together. */
  maxBytes: number;
  /** Fires on timeout or when the caller aborts. */
  signal: AbortSignal;
  /** The error to throw once `signal` fired (`git_timeout`, or the caller's reason). */
  abortError: () => Error;
  /** The repository URL, for messages. */
  displayUrl: string;
  maxRedirects?: number;
  logger?: Logger;
  /** Keep-alive pools shared by operations (see {@link createGitAgents}); without them every request has its own connection. */
  agents?: GitAgents;
}

/** The keep-alive connection pools of a git source, one per scheme, per host inside. */
export interface GitAgents {
  http: HttpAgent;
  https: HttpsAgent;
  /** Closes the idle connections (shutdown, tests). */
  destroy(): void;
}

/**
 * Creates the pools: at most `maxSockets` connections per host (a git source never has
 * more requests in flight than operations running), idle ones closed after `idleMs`.
 */
export function createGitAgents(options: { maxSockets: number; idleMs?: number }): GitAgents {
  const settings = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, timeout: options.idleMs ?? 30_000, scheduling: 'lifo' as const };
  const http = new HttpAgent(settings);
  const https = new HttpsAgent(settings);
  return { http, https, destroy: () => { http.destroy(); https.destroy(); } };
}

/** A tail past what the reader wanted (the chunked terminator) that is still drained to keep the connection. */
const DRAIN_BYTES = 64 * 1024;
const DRAIN_MS = 1_000;

/**
 * Gives a response's connection back to the pool if that is cheap: read to its end, or
 * ending within a short, small tail; otherwise (an endless or stalled body) closes it.
 */
function release(response: IncomingMessage): void {
  if (response.readableEnded || response.destroyed) return;
  if (response.complete) {
    response.resume();
    return;
  }
  let extra = 0;
  const timer = setTimeout(() => response.destroy(), DRAIN_MS).unref();
  response.on('end', () => clearTimeout(timer));
  response.on('close', () => clearTimeout(timer));
  response.on('error', () => {});
  response.on('data', (chunk: Buffer) => {
    extra += chunk.length;
    if (extra > DRAIN_BYTES) response.destroy();
  });
  response.resume();
}

/** A pooled connection the server had closed while it sat idle: the request is sent again on another. */
class StaleConnection extends Error {}
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Creates the guarded plugin. */
export function createGuardedHttp(options: GuardedHttpOptions): GitHttpClient {
  const display = redactUrl(options.displayUrl);
  const maxRedirects = options.maxRedirects ?? 5;
  let received = 0;

  const fail = (error: unknown): Error => {
    if (options.signal.aborted) return options.abortError();
    if (isSlipwayError(error)) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return gitUnreachable(display, code ? `connection failed (${code})` : 'connection failed');
  };

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    options.guard.resolve(hostname).then(
      (addresses) => {
        const usable = lookupOptions.family ? addresses.filter((a) => a.family === lookupOptions.family) : addresses;
        const list = usable.length > 0 ? usable : addresses;
        if (lookupOptions.all) callback(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, ''),
    );
  };

  const send = (url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const https = url.protocol === 'https:';
      const agent = options.agents ? (https ? options.agents.https : options.agents.http) : false;
      const request = (https ? httpsRequest : httpRequest)(url, {
        method, headers, lookup, agent, signal: options.signal,
      });
      let responded = false;
      request.on('socket', (socket) => {
        const check = () => {
          try {
            options.guard.check(url.hostname, socket.remoteAddress ?? '');
          } catch (error) {
            request.destroy(error as Error);
          }
        };
        // A pooled connection is connected already (and was checked when it connected).
        if (socket.connecting) socket.once('connect', check);
        else check();
      });
      request.on('response', (response) => {
        responded = true;
        resolve(response);
      });
      request.on('error', (error) => {
        const stale = request.reusedSocket && !responded && !options.signal.aborted && STALE_CODES.has((error as NodeJS.ErrnoException).code ?? '');
        reject(stale ? new StaleConnection() : fail(error));
      });
      request.end(body);
    });

  /** `send`, once more on a fresh connection when a pooled one turns out closed (Node's documented retry for keep-alive races). */
  async function sendFresh(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(url, method, headers, body);
      } catch (error) {
        if (!(error instanceof StaleConnection)) throw error;
        if (attempt >= 2) throw gitUnreachable(display, 'connection failed (ECONNRESET)');
      }
    }
  }

  async function* limited(response: IncomingMessage): AsyncIterableIterator<Uint8Array> {
    try {
      // Not destroyed when the reader stops early: `release` decides whether the connection can be kept.
      for await (const chunk of response.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > options.maxBytes) throw gitTooLarge(display, options.maxBytes);
        yield chunk;
      }
    } catch (error) {
      response.destroy();
      throw fail(error);
    } finally {
      release(response);
    }
  }

  return {
    async request(req) {
      let url = new URL(req.url);
      // Method and body are kept on every redirect, as git does (CURL_REDIR_POST_ALL):
      // smart HTTP's POSTs mean nothing as GETs.
      const method = req.method ?? 'GET';
      let headers: Record<string, string> = { ...req.headers };
      const body = req.body ? await collect(req.body) : undefined;
      for (let hop = 0; ; hop++) {
        if (options.signal.aborted) throw options.abortError();
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidGitUrl(redactUrl(url.href), 'redirected to an unsupported scheme');
        await options.guard.resolve(url.hostname).catch((error: unknown) => { throw fail(error); });
        if (body) headers['content-length'] = String(body.length);
        const response = await sendFresh(url, method, headers, body);
        options.logger?.debug({ method, url: redactUrl(url.href), status: response.statusCode }, 'git http');
        const location = response.headers.location;
        if (!REDIRECTS.has(response.statusCode ?? 0) || !location) {
          return {
            url: url.href,
            method,
            statusCode: response.statusCode ?? 0,
            statusMessage: response.statusMessage ?? '',
            headers: flattenHeaders(response.headers),
            body: limited(response),
            discard: () => release(response),
          };
        }
        release(response);
        if (hop >= maxRedirects) throw gitUnreachable(display, `more than ${maxRedirects} redirects`);
        const next = new URL(location, url);
        if (url.protocol === 'https:' && next.protocol === 'http:') throw gitUnreachable(display, 'redirect from https to http refused');
        if (next.origin !== url.origin) headers = withoutAuthorization(headers);
        url = next;
      }
    },
  };
}

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
