/**
 * Starts a real Slipway server in-process on 127.0.0.1:0 with a fresh data dir, and a
 * small authenticated client for it. Everything goes over a real socket.
 */
import { parseConfig, type Config } from '../../core/config.ts';
import { silentLogger } from '../../core/ports/logger.ts';
import { startServer, type RunningServer, type ServerOverrides } from '../../controller/main.ts';
import { makeTempDir } from './temp-dir.ts';

/** The admin password of test servers. */
export const ADMIN_PASSWORD = 'test-admin-password';

/** A started server and a client for it. */
export interface TestServer {
  url: string;
  dataDir: string;
  config: Config;
  running: RunningServer;
  /** Authenticated request; `body` objects are sent as JSON. */
  request(method: string, path: string, body?: unknown, init?: RequestInit & { auth?: string | false }): Promise<Response>;
  close(): Promise<void>;
}

/** Basic auth header value for `user:password`. */
export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Starts a server; `env` adds SLIPWAY_* settings on top of the test defaults, which
 * include no runtime (`SLIPWAY_RUNTIME=none`): tests of staging and deploying pass
 * `SLIPWAY_RUNTIME: 'local'` or a fake runtime in `overrides`.
 */
export async function startTestServer(env: Record<string, string> = {}, overrides: ServerOverrides = {}): Promise<TestServer> {
  const temp = await makeTempDir('slipway-server-');
  const config = parseConfig({
    SLIPWAY_PORT: '0', SLIPWAY_HOST: '127.0.0.1', SLIPWAY_DATA_DIR: temp.dir, SLIPWAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SLIPWAY_LOG_LEVEL: 'silent', SLIPWAY_RUNTIME: 'none', ...env,
  });
  const running = await startServer(config, silentLogger, undefined, overrides);
  return {
    url: running.url,
    dataDir: temp.dir,
    config,
    running,
    request(method, path, body, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth !== false) headers.set('authorization', init.auth ?? basic('admin', ADMIN_PASSWORD));
      let payload = init.body;
      if (body !== undefined) {
        headers.set('content-type', 'application/json');
        payload = JSON.stringify(body);
      }
      return fetch(`${running.url}${path}`, { ...init, method, headers, body: payload, ...(payload instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
    },
    async close() {
      await running.close();
      await temp.cleanup();
    },
  };
}
