/**
 * A free loopback port for a new instance.
 */
import { createServer } from 'node:net';

/**
 * Ports handed to apps come from below Linux's default ephemeral range (32768–60999).
 * A port from that range, once released here, is up for grabs by any `listen(0)` or
 * outgoing connection on the machine during the seconds an app takes to start, and
 * another server would then answer the readiness probe in the app's place (seen in
 * tests). Explicit ports below the range are only taken by someone asking for them.
 */
const LOW = 20000;
const HIGH = 32767;

/**
 * A port on 127.0.0.1 that was free a moment ago: a random one in 20000–32767 that we
 * could listen on, else one the kernel picks (listen on 0).
 *
 * There is still a small race: between our close and the app's listen another process
 * may take the port. The supervisor therefore retries a start once on a fresh port
 * when the app's output says EADDRINUSE (see `supervisor.ts`).
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const port = await tryListen(LOW + Math.floor(Math.random() * (HIGH - LOW + 1)));
    if (port) return port;
  }
  const port = await tryListen(0);
  if (!port) throw new Error('no free port on 127.0.0.1');
  return port;
}

function tryListen(wanted: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(wanted, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(port));
    });
  });
}
