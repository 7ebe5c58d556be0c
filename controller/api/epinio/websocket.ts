/**
 * The server side of a WebSocket (RFC 6455), as much as a log stream needs: the
 * handshake, unfragmented text frames out, pings, and the closing handshake. What a
 * client sends is read only to answer pings and closes; its text frames are dropped
 * (Epinio's UI sends filter updates there, which Slipway does not offer). `ws` is only
 * a transitive dependency here, and this is all the protocol Slipway speaks.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** RFC 6455 §1.3: the GUID the accept key is derived with. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;
/** A control frame's payload is at most 125 bytes; data frames from the client are dropped, so little is ever kept. */
const MAX_CLIENT_FRAME = 64 * 1024;
/** Most bytes queued for a client that is not reading before it is dropped. */
const MAX_QUEUED = 1024 * 1024;

/** An open WebSocket. */
export interface WebSocket {
  send(text: string): void;
  ping(): void;
  /** Starts the closing handshake; the socket ends when the client answers (or at once if it is gone). */
  close(code?: number, reason?: string): void;
  /** Aborted when the connection closes, from either side. */
  signal: AbortSignal;
}

/** Why a request cannot be upgraded, or undefined when it can. */
export function handshakeProblem(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return 'a WebSocket handshake is a GET';
  if (!/\bwebsocket\b/i.test(req.headers.upgrade ?? '')) return 'the Upgrade header must be "websocket"';
  if (req.headers['sec-websocket-version'] !== '13') return 'only WebSocket version 13 is supported';
  if (!/^[A-Za-z0-9+/]{22}==$/.test(req.headers['sec-websocket-key'] ?? '')) return 'the Sec-WebSocket-Key header is missing or malformed';
  return undefined;
}

/** A frame, unmasked (server → client frames are never masked). */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (length >= 126 && length < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else if (length >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Completes the handshake of a request {@link handshakeProblem} accepted, and returns the open socket. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): WebSocket {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const ended = new AbortController();
  let closing = false;
  let pending: Buffer = head.length ? Buffer.from(head) : Buffer.alloc(0);
  const write = (opcode: number, payload: Buffer) => {
    if (socket.destroyed || !socket.writable) return;
    // A client that stops reading would make every line and ping pile up here: past
    // MAX_QUEUED unsent bytes it is dropped (logs are followed live, not buffered for it).
    if (socket.writableLength > MAX_QUEUED) {
      socket.destroy();
      return;
    }
    socket.write(frame(opcode, payload));
  };
  const close = (code = 1000, reason = '') => {
    if (closing) return;
    closing = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    write(OP.close, payload);
    // A client that never answers the close does not hold the socket.
    setTimeout(() => socket.destroy(), 5_000).unref();
  };
  const onData = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0]! & 0x0f;
      const masked = (pending[1]! & 0x80) !== 0;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        const long = pending.readBigUInt64BE(2);
        length = long > BigInt(MAX_CLIENT_FRAME) ? MAX_CLIENT_FRAME + 1 : Number(long);
        offset = 10;
      }
      // RFC 6455 §5.1: a client's frames are masked; a large frame is refused (1009), not buffered.
      if (!masked || length > MAX_CLIENT_FRAME) {
        close(masked ? 1009 : 1002);
        socket.destroy();
        return;
      }
      if (pending.length < offset + 4 + length) return;
      const mask = pending.subarray(offset, offset + 4);
      const payload = Buffer.from(pending.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      pending = pending.subarray(offset + 4 + length);
      if (opcode === OP.ping) write(OP.pong, payload);
      if (opcode === OP.close) {
        // Echo the client's close (its code, or 1000), then end: the client started the closing handshake.
        if (!closing) close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
        socket.end();
        return;
      }
    }
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => ended.abort());
  (socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  if (pending.length) onData(Buffer.alloc(0));
  return {
    send: (text) => {
      if (!closing) write(OP.text, Buffer.from(text));
    },
    ping: () => {
      if (!closing) write(OP.ping, Buffer.alloc(0));
    },
    close,
    signal: ended.signal,
  };
}
