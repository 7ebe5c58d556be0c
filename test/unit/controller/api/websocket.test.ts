/**
 * The minimal WebSocket server (controller/api/epinio/websocket.ts) against Node's own
 * WebSocket client: frames of each length encoding, pings, and a close the client starts.
 */
import test from 'ava';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { acceptWebSocket, handshakeProblem, type WebSocket as ServerSocket } from '../../../../controller/api/epinio/websocket.ts';

async function withServer(onOpen: (ws: ServerSocket) => void): Promise<{ url: string; server: Server }> {
  const server = createServer();
  server.on('upgrade', (req, socket, head) => {
    if (handshakeProblem(req)) return socket.destroy();
    onOpen(acceptWebSocket(req, socket, head));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

test('text frames of 7-bit, 16-bit and 64-bit lengths arrive whole, then a normal close', async (t) => {
  const sizes = [5, 300, 70_000];
  const { url, server } = await withServer((ws) => {
    ws.ping();
    for (const size of sizes) ws.send('x'.repeat(size));
    ws.close(1000);
  });
  t.teardown(() => server.close());
  const client = new WebSocket(url);
  const received: string[] = [];
  client.addEventListener('message', (event) => received.push(String(event.data)));
  const close = await new Promise<CloseEvent>((resolve) => client.addEventListener('close', resolve));
  t.deepEqual(received.map((m) => m.length), sizes);
  t.is(close.code, 1000);
  t.true(close.wasClean);
});

test('a close the client starts is echoed with its code and aborts the server\'s signal', async (t) => {
  let serverSide!: ServerSocket;
  const opened = new Promise<void>((resolve) => {
    void withServer((ws) => {
      serverSide = ws;
      ws.send('hello');
      resolve();
    }).then(({ url, server }) => {
      t.teardown(() => server.close());
      const client = new WebSocket(url);
      client.addEventListener('message', () => client.close(4000, 'bye'));
      closed = new Promise((done) => client.addEventListener('close', done));
    });
  });
  let closed!: Promise<CloseEvent>;
  await opened;
  const close = await closed;
  t.is(close.code, 4000);
  t.true(close.wasClean);
  if (!serverSide.signal.aborted) await new Promise((resolve) => serverSide.signal.addEventListener('abort', resolve));
  t.true(serverSide.signal.aborted);
});

test('requests that are not version-13 WebSocket GETs are named', (t) => {
  const req = (headers: Record<string, string>, method = 'GET') => ({ method, headers }) as never;
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  t.is(handshakeProblem(req({ upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': key })), undefined);
  t.regex(handshakeProblem(req({ upgrade: 'h2c', 'sec-websocket-version': '13', 'sec-websocket-key': key }))!, /Upgrade/);
  t.regex(handshakeProblem(req({ upgrade: 'websocket', 'sec-websocket-version': '8', 'sec-websocket-key': key }))!, /version 13/);
  t.regex(handshakeProblem(req({ upgrade: 'websocket', 'sec-websocket-version': '13' }))!, /Key/);
});

test('a client that stops reading is dropped once 1 MiB waits for it, instead of piling up lines', async (t) => {
  let serverSide!: ServerSocket;
  const opened = new Promise<void>((resolve) => {
    void withServer((ws) => { serverSide = ws; resolve(); }).then(({ url, server }) => {
      t.teardown(() => server.close());
      // A raw client that completes the handshake and then never reads again.
      const { hostname, port } = new URL(url);
      const socket = connect(Number(port), hostname, () => {
        socket.write(`GET / HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        socket.once('data', () => socket.pause());
      });
      t.teardown(() => socket.destroy());
    });
  });
  await opened;
  const line = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 2_000 && !serverSide.signal.aborted; i += 1) {
    serverSide.send(line);
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.true(serverSide.signal.aborted, 'the server gave up on the client (32 MiB of lines were offered)');
});
