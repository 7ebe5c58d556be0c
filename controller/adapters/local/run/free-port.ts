/**
 * A free loopback port for a new instance.
 */
import { createServer } from 'node:net';

/**
 * Asks the kernel for a free port on 127.0.0.1 (listen on 0, read it, close).
 *
 * There is a small race: between our close and the app's listen another process may
 * take the port. The supervisor therefore retries a start once on a fresh port when
 * the app's output says EADDRINUSE (see `supervisor.ts`).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
