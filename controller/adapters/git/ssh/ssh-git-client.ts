/**
 * Git over SSH (issue 17) presented to the protocol code as the smart-HTTP exchange
 * it already speaks, so the ref discovery, ls-refs, fetch negotiation, pack reading
 * and archive code (discover-refs.ts, fetch-pack.ts, …) serve both transports
 * unchanged. It is git's own stateless-RPC model (what `git remote-http` does): each
 * request runs `git-upload-pack '<path>'` on a new channel of one SSH connection;
 * the "GET info/refs" answer is the advertisement the command opens with, and a
 * "POST git-upload-pack" skips that advertisement, sends the request, and answers
 * the rest. Protocol v2 is asked for with `GIT_PROTOCOL=version=2` in the channel's
 * environment; a server that ignores it (OpenSSH without `AcceptEnv GIT_PROTOCOL`)
 * answers with a v0 advertisement, which discover-refs.ts reads as such.
 *
 * Caps as for HTTPS: every byte of every channel counts against the operation's
 * SLIPWAY_GIT_MAX_BYTES; a skipped advertisement is held to SLIPWAY_GIT_REFS_MAX_BYTES.
 */
import type { ClientChannel } from 'ssh2';
import type { Lease } from './ssh-pool.ts';
import { gitProtocolError, gitTooLarge, gitUnreachable, invalidGitUrl } from '../../../../core/error-cases.ts';
import { isSlipwayError } from '../../../../core/errors.ts';
import type { Logger } from '../../../../core/ports/logger.ts';
import { redact } from '../../../../core/redact.ts';
import type { GitHttpClient, GitHttpResponse } from '../guarded-http.ts';

/** Options for {@link createSshGitClient}. */
export interface SshGitClientOptions {
  /** Lends the operation a connection (from the pool); called once, on the first request. */
  connect: () => Promise<Lease>;
  /** The repository path as `git-upload-pack` takes it (decoded; relative for scp-like addresses). */
  path: string;
  /** Cap on the bytes of all channels together (SLIPWAY_GIT_MAX_BYTES). */
  maxBytes: number;
  /** Cap on an advertisement skipped before a request (SLIPWAY_GIT_REFS_MAX_BYTES). */
  maxRefsBytes: number;
  signal: AbortSignal;
  abortError: () => Error;
  /** The repository address, for messages. */
  display: string;
  logger?: Logger;
}

/** The transport, and `close` to end its connection once the operation is done. */
export interface SshGitClient extends GitHttpClient {
  close(): void;
}

const STDERR_MAX = 4096;

/** Creates the client of one operation. */
export function createSshGitClient(options: SshGitClientOptions): SshGitClient {
  const { display } = options;
  let connection: Promise<Lease> | undefined;
  /** A channel that failed or was cut short leaves the connection in doubt: it is not given back for reuse. */
  let reusable = true;
  let received = 0;
  const command = `git-upload-pack ${shellQuote(options.path)}`;

  const fail = (error: unknown): Error => {
    if (options.signal.aborted) return options.abortError();
    if (isSlipwayError(error)) return error;
    return gitUnreachable(display, 'the SSH channel failed');
  };

  const open = async (v2: boolean) => {
    connection ??= options.connect();
    const { client } = await connection;
    return new Promise<ClientChannel>((resolve, reject) => {
      client.exec(command, v2 ? { env: { GIT_PROTOCOL: 'version=2' } } : {}, (error, channel) => (error ? reject(fail(error)) : resolve(channel)));
    });
  };

  /** The channel's stdout, counted against the operation's cap; when it ends before any byte, the server's refusal. */
  async function* output(channel: ClientChannel): AsyncGenerator<Buffer> {
    let stderr = '';
    let exitCode: number | undefined;
    channel.stderr.on('data', (chunk: Buffer) => { if (stderr.length < STDERR_MAX) stderr += chunk.toString('utf8'); });
    channel.on('exit', (code: number | null) => { exitCode = code ?? undefined; });
    let any = false;
    try {
      for await (const chunk of channel as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > options.maxBytes) throw gitTooLarge(display, options.maxBytes);
        any = true;
        yield chunk;
      }
    } catch (error) {
      reusable = false;
      throw fail(error);
    } finally {
      channel.close();
    }
    if (!any) {
      if (options.signal.aborted) throw options.abortError();
      // The server's own words stay in the debug log (STYLE.md: outside text never reaches the client).
      options.logger?.debug({ url: display, exitCode, remote: redact(stderr.replace(/[^\x20-\x7e\n]/g, '').slice(0, 300)) }, 'git-upload-pack over SSH answered nothing');
      throw invalidGitUrl(display, 'the SSH server has no git repository at this path, or the deploy key may not read it');
    }
  }

  return {
    async request(req) {
      const advertisement = req.url.endsWith('/info/refs?service=git-upload-pack');
      if (!advertisement && !req.url.endsWith('/git-upload-pack')) throw gitProtocolError(display, 'unsupported request over SSH');
      const v2 = /version=2/.test(req.headers?.['git-protocol'] ?? '');
      if (options.signal.aborted) throw options.abortError();
      const channel = await open(v2);
      // This operation's deadline ends its channel (never the pooled connection), and the
      // connection is not lent again: the server may still be writing into it.
      const onAbort = () => { reusable = false; channel.close(); };
      options.signal.addEventListener('abort', onAbort, { once: true });
      channel.once('close', () => options.signal.removeEventListener('abort', onAbort));
      const discard = () => channel.close();
      const body = output(channel);
      if (advertisement) {
        return response(req.url, 'GET', 'application/x-git-upload-pack-advertisement', body, discard);
      }
      try {
        const rest = await skipAdvertisement(body, options.maxRefsBytes, display);
        for await (const chunk of req.body ?? []) channel.write(chunk);
        channel.end();
        return response(req.url, 'POST', 'application/x-git-upload-pack-result', prepend(rest, body), discard);
      } catch (error) {
        discard();
        throw fail(error);
      }
    },
    close() {
      connection?.then((lease) => lease.release(reusable && !options.signal.aborted), () => {});
    },
  };
}

function response(url: string, method: string, type: string, body: AsyncGenerator<Buffer>, discard: () => void): GitHttpResponse {
  return { url, method, statusCode: 200, statusMessage: 'OK', headers: { 'content-type': type }, body, discard };
}

/**
 * Reads pkt-lines up to and including the advertisement's closing flush (v0 refs or
 * v2 capabilities) and returns the bytes read past it.
 */
async function skipAdvertisement(body: AsyncGenerator<Buffer>, limit: number, display: string): Promise<Buffer> {
  let buffer: Buffer = Buffer.alloc(0);
  let skipped = 0;
  for (;;) {
    while (buffer.length >= 4) {
      const hex = buffer.toString('latin1', 0, 4);
      const length = /^[0-9a-f]{4}$/i.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
      if (Number.isNaN(length) || length === 3) throw gitProtocolError(display, 'a ref advertisement: malformed pkt-line length');
      if (length === 0) return buffer.subarray(4);
      const size = length < 4 ? 4 : length;
      if (buffer.length < size) break;
      skipped += size;
      buffer = buffer.subarray(size);
    }
    if (skipped + buffer.length > limit) throw gitTooLarge(display, limit, { what: 'a ref advertisement', setting: 'SLIPWAY_GIT_REFS_MAX_BYTES' });
    const next = await body.next();
    if (next.done) throw gitProtocolError(display, 'a ref advertisement ended without a flush packet');
    buffer = buffer.length > 0 ? Buffer.concat([buffer, next.value]) : next.value;
  }
}

async function* prepend(first: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  yield* rest;
}

/** Single-quotes `text` for the remote shell, as git does (`'` and `!` closed out and escaped). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`).replace(/!/g, `'\\!'`)}'`;
}
