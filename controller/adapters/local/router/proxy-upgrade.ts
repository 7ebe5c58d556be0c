/**
 * Proxies an HTTP upgrade (websockets) to an app instance: the handshake goes through,
 * then the two sockets are piped into each other.
 */
import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestHeaders } from './forward-headers.ts';
import { socketProblem } from './problem.ts';

/** Writes a response head (status line and raw headers) onto a raw socket. */
function writeHead(socket: Duplex, response: IncomingMessage, closing: boolean): void {
  let head = `HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\n`;
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    const name = response.rawHeaders[i]!;
    // A declined upgrade's body is passed on decoded and ends with the connection.
    if (closing && /^(transfer-encoding|connection|keep-alive)$/i.test(name)) continue;
    head += `${name}: ${response.rawHeaders[i + 1]}\r\n`;
  }
  socket.write(`${head}${closing ? 'Connection: close\r\n' : ''}\r\n`);
}

/**
 * Sends an upgrade request to `port` and, once the app switches protocols, pipes the
 * client's socket and the app's both ways until either closes.
 * `onClose` runs once when the connection is over.
 */
export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, port: number, host: string, onClose: () => void): void {
  let closed = false;
  const done = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  socket.on('error', () => socket.destroy());
  socket.once('close', done);
  const headers = requestHeaders(req);
  headers.connection = 'Upgrade';
  headers.upgrade = req.headers.upgrade;
  // Upgraded sockets leave the pool for good, so they get a connection of their own.
  const outgoing = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent: false });
  outgoing.on('upgrade', (response: IncomingMessage, upstream: Duplex, upstreamHead: Buffer) => {
    writeHead(socket, response, false);
    if (upstreamHead.length) socket.write(upstreamHead);
    if (head.length) upstream.write(head);
    upstream.on('error', () => socket.destroy());
    upstream.once('close', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  // The app declined the upgrade: pass its answer on and close.
  outgoing.on('response', (response: IncomingMessage) => {
    writeHead(socket, response, true);
    response.pipe(socket);
  });
  outgoing.on('error', () => {
    if (!socket.destroyed) socketProblem(socket, 502, 'bad_gateway', `the app on ${host} did not answer`);
  });
  outgoing.end();
}
