/**
 * Ref discovery over smart HTTP (gitprotocol-http(5), gitprotocol-v2(5)), read as a
 * stream of pkt-lines and held to SLIPWAY_GIT_REFS_MAX_BYTES: the advertisement of
 * `GET info/refs` (protocol v0/v1 refs, or v2 capabilities) and the v2 `ls-refs`
 * answer. isomorphic-git did this before and buffered without a limit: a remote that
 * answered `ls-refs` with an endless stream grew the server to gigabytes, and its
 * reader turned our cap error into "end of listing" (an `unknown_revision`). Here a
 * listing is complete (ends with a flush) and well-formed, or the operation fails.
 */
import { gitAuthRequired, gitProtocolError, gitTooLarge, gitUnreachable, invalidGitUrl } from '../../../core/error-cases.ts';
import { redact } from '../../../core/redact.ts';
import { capBytes } from './cap-bytes.ts';
import { USER_AGENT, type Remote } from './git-remote.ts';
import type { GitHttpResponse } from './guarded-http.ts';
import { DELIM_PKT, FLUSH_PKT, PktLineError, pktLine, readPktLines, type PktSpecial } from './pkt-line.ts';
import type { ServerRef } from './resolve-revision.ts';

/** What `info/refs` told: the protocol, its capabilities, and (v0/v1 only) the refs. */
export interface Discovery {
  protocolVersion: 1 | 2;
  /** Capability names (v1: from the first ref line; v2: one per line, values dropped). */
  capabilities: Set<string>;
  /** v0/v1: every advertised ref; v2: empty (ask with {@link lsRefs}). */
  refs: ServerRef[];
}

const OID = /^[0-9a-f]{40}$/;
const SERVICE = 'git-upload-pack';

/** `GET <url>/info/refs?service=git-upload-pack`, asking for protocol v2. */
export async function discoverRefs(remote: Remote): Promise<Discovery> {
  const response = await remote.http.request({
    url: `${remote.url}/info/refs?service=${SERVICE}`,
    method: 'GET',
    headers: { ...remote.headers, 'git-protocol': 'version=2', 'user-agent': USER_AGENT },
  });
  checkStatus(response, remote);
  if (mimeType(response.headers['content-type']) !== `application/x-${SERVICE}-advertisement`) {
    response.discard();
    throw invalidGitUrl(remote.display, 'the server did not answer as a git smart-HTTP server');
  }
  const lines = lineReader(response, remote, 'a ref advertisement');
  let line = await lines.next();
  // Smart HTTP puts `# service=…` and a flush before the advertisement proper.
  if (line === `# service=${SERVICE}`) {
    line = await lines.next();
    if (line === 'flush') line = await lines.next();
  }
  if (line === 'version 2') {
    const capabilities = new Set<string>();
    for (let cap = await lines.next(); cap !== 'flush'; cap = await lines.next()) capabilities.add(cap.split('=')[0]!);
    await lines.close();
    return { protocolVersion: 2, capabilities, refs: [] };
  }
  if (line === 'version 1') line = await lines.next();
  if (line === 'flush') return { protocolVersion: 1, capabilities: new Set(), refs: [] };

  const nul = line.indexOf('\0');
  if (nul === -1) return lines.fail(gitProtocolError(remote.display, 'the first ref carries no capabilities'));
  const capabilityWords = line.slice(nul + 1).split(' ').filter(Boolean);
  const capabilities = new Set(capabilityWords.map((word) => word.split('=')[0]!));
  const symrefs = new Map(capabilityWords.filter((w) => w.startsWith('symref=')).map((w) => {
    const [name, target] = w.slice('symref='.length).split(':');
    return [name!, target ?? ''] as const;
  }));
  const refs: ServerRef[] = [];
  const byName = new Map<string, ServerRef>();
  for (let ref = line.slice(0, nul); ref !== 'flush'; ref = await lines.next()) {
    const split = splitRef(ref);
    if (!split) return lines.fail(gitProtocolError(remote.display, 'malformed ref advertisement'));
    const [oid, name] = split;
    if (name === 'capabilities^{}') continue;
    if (name.endsWith('^{}')) {
      const tag = byName.get(name.slice(0, -3));
      if (tag) tag.peeled = oid;
      continue;
    }
    const entry: ServerRef = { ref: name, oid, ...(symrefs.get(name) ? { target: symrefs.get(name) } : {}) };
    refs.push(entry);
    byName.set(name, entry);
  }
  await lines.close();
  return { protocolVersion: 1, capabilities, refs };
}

/**
 * Protocol v2 `ls-refs` with symrefs and peeled tags, restricted to `prefixes` (the
 * server filters: a repository with 100,000 pull-request refs answers only what we need).
 */
export async function lsRefs(remote: Remote, prefixes: string[]): Promise<ServerRef[]> {
  const body = Buffer.concat([
    pktLine('command=ls-refs\n'), pktLine(`agent=${USER_AGENT}\n`), DELIM_PKT, pktLine('peel\n'), pktLine('symrefs\n'),
    ...prefixes.map((prefix) => pktLine(`ref-prefix ${prefix}\n`)), FLUSH_PKT,
  ]);
  const response = await remote.http.request({
    url: `${remote.url}/${SERVICE}`,
    method: 'POST',
    headers: {
      ...remote.headers, 'content-type': `application/x-${SERVICE}-request`, accept: `application/x-${SERVICE}-result`,
      'git-protocol': 'version=2', 'user-agent': USER_AGENT,
    },
    body: [body],
  });
  checkStatus(response, remote);
  const lines = lineReader(response, remote, 'a ref listing');
  const refs: ServerRef[] = [];
  for (let line = await lines.next(); line !== 'flush'; line = await lines.next()) {
    if (line.startsWith('ERR ')) {
      remote.logger?.debug({ url: remote.display, remote: printable(line) }, 'git server refused the ref listing');
      throw gitUnreachable(remote.display, 'the server refused to list its refs');
    }
    const [oid, name, ...attributes] = line.split(' ');
    if (!oid || !OID.test(oid) || !name) return lines.fail(gitProtocolError(remote.display, 'malformed ref listing'));
    const entry: ServerRef = { ref: name, oid };
    for (const attribute of attributes) {
      if (attribute.startsWith('symref-target:')) entry.target = attribute.slice('symref-target:'.length);
      else if (attribute.startsWith('peeled:')) entry.peeled = attribute.slice('peeled:'.length);
    }
    refs.push(entry);
  }
  await lines.close();
  return refs;
}

/** Throws the error an HTTP status means, without reading the body (a hostile one may be endless). */
function checkStatus(response: GitHttpResponse, remote: Remote): void {
  if (response.statusCode === 200) return;
  response.discard();
  if (response.statusCode === 401 || response.statusCode === 403) throw gitAuthRequired(remote.display);
  if (response.statusCode === 404) {
    throw invalidGitUrl(remote.display, 'no repository was found at this URL (HTTP 404); check the URL, or configure credentials if it is private');
  }
  throw gitUnreachable(remote.display, `the server answered HTTP ${response.statusCode}`);
}

/** Text lines (trailing LF dropped) or `flush`; the stream is capped, and ends only after a flush. */
function lineReader(response: GitHttpResponse, remote: Remote, what: string) {
  const capped = capBytes(response.body, remote.maxRefsBytes, () =>
    gitTooLarge(remote.display, remote.maxRefsBytes, { what, setting: 'SLIPWAY_GIT_REFS_MAX_BYTES' }));
  const packets: AsyncGenerator<Buffer | PktSpecial> = readPktLines(capped);
  return {
    async next(): Promise<string> {
      const { value, done } = await packets.next().catch((error: unknown) => {
        throw error instanceof PktLineError ? gitProtocolError(remote.display, `${what}: ${error.message}`) : error;
      });
      if (done) throw gitProtocolError(remote.display, `${what} ended without a flush packet`);
      if (value === 'flush') return 'flush';
      if (typeof value === 'string') throw gitProtocolError(remote.display, `unexpected ${value} packet in ${what}`);
      return value.toString('utf8').replace(/\n$/, '');
    },
    /**
     * A line that is not what the protocol allows: reads on (discarding, within the
     * cap) to the flush, then throws `error` — or `git_too_large` when the answer goes
     * on past the cap. So a remote that answers `NAK` and an endless stream instead of
     * a ref listing gets the same 413 as an endless listing, after a bounded read.
     */
    async fail(error: Error): Promise<never> {
      try {
        for (let next = await packets.next(); !next.done && next.value !== 'flush'; next = await packets.next()) { /* discard */ }
      } catch (thrown) {
        if ((thrown as { code?: string }).code === 'git_too_large') throw thrown;
      } finally {
        response.discard();
      }
      throw error;
    },
    /** Stops reading: whatever the remote sends after the flush is not read. */
    async close() {
      await packets.return(undefined);
      response.discard();
    },
  };
}

/** `<oid> <name>`, or undefined when the line is not one. */
function splitRef(line: string): [string, string] | undefined {
  const space = line.indexOf(' ');
  const oid = line.slice(0, space);
  const name = line.slice(space + 1);
  if (space === -1 || !OID.test(oid) || name === '' || name.includes(' ')) return undefined;
  return [oid, name];
}

function mimeType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function printable(text: string): string {
  return redact(text.replace(/[^\x20-\x7e]/g, '').slice(0, 200));
}
