/**
 * A hostile git smart-HTTP remote for tests (issue 9): a small node:http server that
 * speaks just enough of protocol v0/v1 to look real — a genuine ref advertisement
 * with the capabilities Slipway asks for — and then misbehaves in one chosen way at
 * one stage of the protocol, for as long as the client keeps reading. Writes honour
 * backpressure, so the server itself stays small while the client is flooded.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the remote misbehaves. */
export type HostileMode =
  /**
   * Protocol v2, the case of issue 9: real capabilities, then `ls-refs` answered with
   * `NAK` and endless side-band data (isomorphic-git buffered it all, then reported
   * an unknown revision).
   */
  | 'v2-endless-listing'
  /** Protocol v2: real capabilities and refs, then `fetch` answered with `NAK` and endless band-2 progress. */
  | 'v2-endless-progress'
  /** Refs, then `NAK` and endless side-band band-1 (pack data) packets. */
  | 'endless-pack-band'
  /** Refs, then `NAK` and endless side-band band-2 (progress) packets. */
  | 'endless-progress'
  /** Refs, then `NAK` and endless progress text with no line end (`\r` only), as a counter would print. */
  | 'endless-progress-line'
  /** Refs, then endless negotiation lines (`shallow …` / `ACK … common`) that never reach `NAK`. */
  | 'endless-negotiation'
  /** A ref advertisement that never ends (one ref after another). */
  | 'endless-refs'
  /** A ref advertisement that is one never-ending line (no pkt-line boundary inside the first 4 GB). */
  | 'endless-ref-line'
  /** Answers the ref advertisement's headers, then sends nothing. */
  | 'stall-refs'
  /** Real refs, then answers the fetch's headers and sends nothing. */
  | 'stall-fetch'
  /** Real refs, then `NAK` and a pkt-line whose length is not hex. */
  | 'bad-length'
  /** Real refs, then `NAK`, the start of one maximal packet, and silence. */
  | 'partial-packet';

/** A running hostile remote. */
export interface HostileGitServer {
  /** Repository URL, e.g. `http://127.0.0.1:40123/evil.git`. */
  url: string;
  /** The commit its refs advertise (a commit it never sends). */
  sha: string;
  /** Bytes it has written to clients so far (all requests together). */
  sent(): number;
  close(): Promise<void>;
}

const SHA = '1d5a7c0b3a9f0e6d2c4b8a7f6e5d4c3b2a1f0e9d';
const CAPS = 'multi_ack_detailed side-band-64k thin-pack ofs-delta shallow no-progress symref=HEAD:refs/heads/main agent=git/2.39.0';

/** Starts a hostile remote in `mode` on a free port of 127.0.0.1. */
export async function startHostileGitServer(mode: HostileMode): Promise<HostileGitServer> {
  let sent = 0;
  const sockets = new Set<Socket>();
  const v2 = mode.startsWith('v2-');
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('latin1');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname.endsWith('/info/refs')) return v2 ? advertiseV2(res) : advertise(res);
    if (req.method === 'POST' && url.pathname.endsWith('/git-upload-pack')) {
      if (v2 && body.includes('command=ls-refs')) return listRefsV2(res);
      return uploadPack(res);
    }
    res.writeHead(404).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });

  /** Writes what `next()` returns until the client goes away (or `next` returns undefined). */
  const flood = async (res: ServerResponse, next: () => Buffer | undefined) => {
    res.on('error', () => {});
    while (!res.destroyed && !res.writableEnded) {
      const chunk = next();
      if (!chunk) return res.end();
      sent += chunk.length;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
  };

  const advertise = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement', 'cache-control': 'no-cache' });
    const head = Buffer.concat([pkt('# service=git-upload-pack\n'), FLUSH, pkt(`${SHA} HEAD\0${CAPS}\n`)]);
    if (mode === 'stall-refs') return void res.flushHeaders();
    if (mode === 'endless-refs') {
      let n = 0;
      let first = true;
      return void flood(res, () => {
        if (first) { first = false; return head; }
        const lines: Buffer[] = [];
        for (let i = 0; i < 512; i++) lines.push(pkt(`${SHA} refs/heads/branch-${n++}-${'x'.repeat(40)}\n`));
        return Buffer.concat(lines);
      });
    }
    if (mode === 'endless-ref-line') {
      // A v0 advertisement has no side-band: a never-ending "line" is a stream with no pkt boundary.
      let first = true;
      const filler = Buffer.alloc(64 * 1024, 'a');
      return void flood(res, () => {
        if (first) { first = false; return Buffer.concat([pkt('# service=git-upload-pack\n'), FLUSH, Buffer.from('ffff')]); }
        return filler;
      });
    }
    res.end(Buffer.concat([head, pkt(`${SHA} refs/heads/main\n`), FLUSH]));
  };

  const advertiseV2 = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement', 'cache-control': 'no-cache' });
    res.end(Buffer.concat([
      pkt('# service=git-upload-pack\n'), FLUSH, pkt('version 2\n'), pkt('agent=git/2.39.0\n'), pkt('ls-refs=unborn\n'),
      pkt('fetch=shallow wait-for-done\n'), pkt('server-option\n'), pkt('object-format=sha1\n'), FLUSH,
    ]));
  };

  const listRefsV2 = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result', 'cache-control': 'no-cache' });
    if (mode === 'v2-endless-listing') {
      let first = true;
      const batch = endlessBand(1, 'L');
      return void flood(res, () => {
        if (first) { first = false; return pkt('NAK\n'); }
        return batch;
      });
    }
    res.end(Buffer.concat([pkt(`${SHA} HEAD symref-target:refs/heads/main\n`), pkt(`${SHA} refs/heads/main\n`), FLUSH]));
  };

  const uploadPack = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result', 'cache-control': 'no-cache' });
    if (mode === 'stall-fetch') return void res.flushHeaders();
    const nak = pkt('NAK\n');
    let first = true;
    const start = (rest: () => Buffer | undefined) => () => {
      if (first) { first = false; return nak; }
      return rest();
    };
    const band = (n: number, fill: string) => {
      const batch = endlessBand(n, fill);
      return () => batch;
    };
    if (mode === 'endless-pack-band') return void flood(res, start(band(1, 'P')));
    if (mode === 'endless-progress' || mode === 'v2-endless-progress') return void flood(res, start(band(2, 'p')));
    if (mode === 'endless-progress-line') {
      let n = 0;
      return void flood(res, start(() => {
        const lines: Buffer[] = [];
        for (let i = 0; i < 256; i++) lines.push(pkt(Buffer.concat([Buffer.from([2]), Buffer.from(`Counting objects: ${n++}\r`)])));
        return Buffer.concat(lines);
      }));
    }
    if (mode === 'endless-negotiation') {
      let n = 0;
      return void flood(res, () => {
        const lines: Buffer[] = [];
        for (let i = 0; i < 512; i++) lines.push(pkt(n++ % 2 === 0 ? `shallow ${SHA}\n` : `ACK ${SHA} common\n`));
        return Buffer.concat(lines);
      });
    }
    if (mode === 'bad-length') return void res.end(Buffer.concat([nak, Buffer.from('zz!!not a pkt-line at all')]));
    if (mode === 'partial-packet') {
      // The largest length a pkt-line can announce, then a fraction of it and silence.
      return void res.write(Buffer.concat([nak, Buffer.from('ffff\x01', 'latin1'), Buffer.alloc(1024, 'q')]));
    }
    res.end(FLUSH);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/evil.git`,
    sha: SHA,
    sent: () => sent,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const FLUSH = Buffer.from('0000', 'ascii');

/** Sixteen maximal side-band packets on channel `n`, written again and again. */
function endlessBand(n: number, fill: string): Buffer {
  const packet = Buffer.concat([Buffer.from('fff0', 'ascii'), Buffer.from([n]), Buffer.alloc(0xfff0 - 5, fill)]);
  return Buffer.concat(Array.from({ length: 16 }, () => packet));
}

function pkt(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0'), 'ascii'), data]);
}
