/**
 * One upload-pack request over smart HTTP that streams the packfile to a file.
 *
 * Why not isomorphic-git's `fetch`: it collects the whole packfile in memory and
 * indexes it in JavaScript, ~8× slower than native git and ~290 MB of memory for a
 * 6 MB pack (docs/git-import.md, bench/README.md). Here the pack goes to disk as it
 * arrives (memory bounded by one HTTP chunk) and pack-index.ts indexes it with zlib
 * and SHA-1 from node:zlib / node:crypto; discover-refs.ts lists the refs.
 * Speaks protocol v2 (`command=fetch`) and, for servers without it, v0/v1.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { SlipwayError } from '../../../core/errors.ts';
import { gitAuthRequired, gitProtocolError, gitTooLarge, gitUnreachable } from '../../../core/error-cases.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import { redact, redactUrl } from '../../../core/redact.ts';
import type { GitHttpClient } from './guarded-http.ts';
import { DELIM_PKT, FLUSH_PKT, PktLineError, pktLine, readPktLines } from './pkt-line.ts';

/** Options for {@link fetchPack}. */
export interface FetchPackOptions {
  http: GitHttpClient;
  /** Repository URL (no trailing slash). */
  url: string;
  /** Object IDs to fetch (commits). */
  wants: string[];
  /** Shallow depth; omitted: full history of the wants. */
  depth?: number;
  protocolVersion: 1 | 2;
  /** Capabilities the server advertised (v1) — to pick the ones we may use. */
  capabilities: Set<string>;
  /** Extra request headers (Authorization). */
  headers: Record<string, string>;
  /** Where the packfile is written. */
  packPath: string;
  /** Receives the remote's own refusal text, at debug level only. */
  logger?: Logger;
}

/** Raised when the server refuses a want (e.g. `not our ref`): the caller may fall back. */
export class WantRefusedError extends Error {}

/** Fetches a pack into `packPath`. Resolves when the pack is complete and its trailer checksum verified. */
export async function fetchPack(options: FetchPackOptions): Promise<void> {
  const display = redactUrl(options.url);
  const body = options.protocolVersion === 2 ? requestV2(options) : requestV1(options);
  const response = await options.http.request({
    url: `${options.url}/git-upload-pack`,
    method: 'POST',
    headers: {
      ...options.headers,
      'content-type': 'application/x-git-upload-pack-request',
      accept: 'application/x-git-upload-pack-result',
      'user-agent': 'git/slipway',
      ...(options.protocolVersion === 2 ? { 'git-protocol': 'version=2' } : {}),
    },
    body: [body],
  });
  if (response.statusCode === 401 || response.statusCode === 403) throw gitAuthRequired(display);
  if (response.statusCode !== 200) {
    // Not drained: a hostile body may never end.
    response.discard();
    throw gitUnreachable(display, `upload-pack answered HTTP ${response.statusCode}`);
  }
  const out = createWriteStream(options.packPath);
  const done = once(out, 'close');
  try {
    await receivePack(readPktLines(response.body), out, display, options.logger);
  } catch (error) {
    throw error instanceof PktLineError ? gitProtocolError(display, error.message) : error;
  } finally {
    response.discard();
    out.end();
    await done;
  }
}

function requestV2(options: FetchPackOptions): Buffer {
  const lines = [pktLine('command=fetch\n'), pktLine('agent=git/slipway\n'), DELIM_PKT, pktLine('ofs-delta\n'), pktLine('no-progress\n')];
  for (const want of options.wants) lines.push(pktLine(`want ${want}\n`));
  if (options.depth) lines.push(pktLine(`deepen ${options.depth}\n`));
  lines.push(pktLine('done\n'), FLUSH_PKT);
  return Buffer.concat(lines);
}

function requestV1(options: FetchPackOptions): Buffer {
  const wanted = ['side-band-64k', 'ofs-delta', 'no-progress', ...(options.depth ? ['shallow'] : [])];
  const caps = wanted.filter((c) => options.capabilities.has(c));
  if (!caps.includes('side-band-64k')) throw gitUnreachable(redactUrl(options.url), 'the server does not support side-band-64k');
  if (options.depth && !caps.includes('shallow')) throw gitUnreachable(redactUrl(options.url), 'the server does not support shallow fetches');
  const lines = options.wants.map((want, i) => pktLine(`want ${want}${i === 0 ? ` ${caps.join(' ')} agent=git/slipway` : ''}\n`));
  if (options.depth) lines.push(pktLine(`deepen ${options.depth}\n`));
  lines.push(FLUSH_PKT, pktLine('done\n'));
  return Buffer.concat(lines);
}

/**
 * Most bytes of negotiation (`shallow`, `ACK`, `NAK`, v2 section headers) before the
 * pack starts. A depth-1 fetch with no `have` lines gets a few lines per want; a
 * remote that keeps negotiating is stalling.
 */
export const NEGOTIATION_MAX_BYTES = 1024 * 1024;
/**
 * Most bytes of side-band 2 (progress). We ask for `no-progress`, and git sends a few
 * KB even when asked for progress; the text is discarded, never collected.
 */
export const PROGRESS_MAX_BYTES = 1024 * 1024;

/**
 * Reads the response: negotiation lines (`shallow …`, `NAK`, v2 section headers) until
 * the pack starts, then side-band packets (1 data, 2 progress, 3 error) to the file.
 * The SHA-1 of everything but the last 20 bytes must equal those 20 bytes. Every
 * stage has its own cap (the pack's is the operation's SLIPWAY_GIT_MAX_BYTES, counted
 * by the transport), memory holds one packet, and progress text is dropped unread.
 */
async function receivePack(packets: AsyncGenerator<Buffer | string>, out: NodeJS.WritableStream, display: string, logger?: Logger): Promise<void> {
  const hash = createHash('sha1');
  let tail = Buffer.alloc(0);
  let inPack = false;
  let total = 0;
  let negotiation = 0;
  let progress = 0;
  for await (const packet of packets) {
    if (typeof packet === 'string') {
      if (inPack && packet === 'flush') break;
      continue;
    }
    if (!inPack) {
      negotiation += packet.length + 4;
      if (negotiation > NEGOTIATION_MAX_BYTES) throw gitTooLarge(display, NEGOTIATION_MAX_BYTES, { what: 'a negotiation' });
      const text = packet.toString('utf8').trimEnd();
      if (text.startsWith('ERR ')) throw refusal(text, display, logger);
      if (text === 'packfile' || text === 'NAK' || /^ACK [0-9a-f]{40}$/.test(text)) inPack = true;
      continue;
    }
    const band = packet[0];
    // Protocol v2 may send an acknowledgments section (NAK) before the packfile section.
    if (band === 0x70 && packet.toString('latin1').trimEnd() === 'packfile') continue;
    if (band === 1) {
      const data = packet.subarray(1);
      total += data.length;
      const joined = tail.length > 0 ? Buffer.concat([tail, data]) : data;
      const keep = Math.min(20, joined.length);
      hash.update(joined.subarray(0, joined.length - keep));
      tail = Buffer.from(joined.subarray(joined.length - keep));
      if (!out.write(data)) await once(out, 'drain');
    } else if (band === 2) {
      progress += packet.length + 4;
      if (progress > PROGRESS_MAX_BYTES) throw gitTooLarge(display, PROGRESS_MAX_BYTES, { what: 'progress messages' });
    } else if (band === 3) {
      throw refusal(packet.subarray(1).toString('utf8').trim(), display, logger);
    } else {
      throw gitProtocolError(display, `side-band channel ${band ?? 'missing'}`);
    }
  }
  if (total < 32 || !hash.digest().equals(tail)) throw gitUnreachable(display, 'the server sent an incomplete or corrupt pack');
}

/**
 * The remote's text is chosen by whoever runs the server, so it never reaches the
 * client (STYLE.md: never pass outside text through); operators see it, redacted, in
 * the debug log.
 */
function refusal(text: string, display: string, logger?: Logger): Error {
  if (/not our ref|want .* not valid|no such object|upload-pack: not our/i.test(text)) return new WantRefusedError(text);
  logger?.debug({ url: display, remote: redact(text.replace(/[^\x20-\x7e]/g, '').slice(0, 200)) }, 'git server refused the fetch');
  return new SlipwayError('git_unreachable', `cannot fetch from ${display}: the server refused the fetch`, {
    status: 424, expose: true, retry: 'waiting', data: { url: display },
  });
}
