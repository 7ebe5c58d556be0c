/**
 * A real git smart-HTTP server for tests: a Node http server on 127.0.0.1 that runs
 * `git http-backend` as a CGI for every request, serving the bare repositories under
 * `root` (create them with `createBareRepo` from ./git-repo.ts). The real git CLI can
 * push to it and Slipway's git adapter fetches from it, so both sides speak the same
 * protocol a hosted git server speaks (v0/v1 and v2).
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Options for {@link startGitServer}. */
export interface GitServerOptions {
  /** Folder holding bare repositories, served as `<url>/<name>.git`. */
  root: string;
  /** Require BasicAuth with these credentials (answer 401 otherwise), like a private repository. */
  auth?: { username: string; password: string };
  /** Answer every request with a redirect to this base URL plus the request's path (e.g. to a private address). */
  redirectTo?: string;
  /** Status code of that redirect (default 302). */
  redirectStatus?: number;
  /** Pass the client's `Git-Protocol` header to http-backend (default true); false forces protocol v0/v1. */
  protocolV2?: boolean;
}

/** A running git server. */
export interface GitServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Requests answered so far, as `METHOD path?query` (for asserting what a client asked). */
  requests: string[];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  connections(): number;
  /** The most `POST …/git-upload-pack` requests (fetches, or v2 ref listings) that were in progress at once. */
  peakUploadPacks(): number;
  close(): Promise<void>;
}

/** Starts a git smart-HTTP server on a free port of 127.0.0.1. */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const requests: string[] = [];
  let connections = 0;
  let uploadPacks = 0;
  let peakUploadPacks = 0;
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === 'POST' && req.url?.includes('git-upload-pack')) {
      uploadPacks += 1;
      peakUploadPacks = Math.max(peakUploadPacks, uploadPacks);
      res.on('close', () => { uploadPacks -= 1; });
    }
    if (options.redirectTo) {
      res.writeHead(options.redirectStatus ?? 302, { location: `${options.redirectTo}${req.url}` }).end();
      return;
    }
    if (options.auth && !authorized(req, options.auth)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('authentication required\n');
      return;
    }
    runHttpBackend(req, res, options);
  });
  const sockets = trackSockets(server);
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    peakUploadPacks: () => peakUploadPacks,
    close: () => closeServer(server, sockets),
  };
}

/**
 * Starts a TCP server on 127.0.0.1 that accepts connections and never answers, to
 * test timeouts. Its `url` is an http URL.
 */
export async function startHangingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function authorized(req: IncomingMessage, auth: { username: string; password: string }): boolean {
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return req.headers.authorization === expected;
}

function runHttpBackend(req: IncomingMessage, res: ServerResponse, options: GitServerOptions): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: options.root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: options.root,
    // http-backend enables receive-pack (push) only for an authenticated user.
    REMOTE_USER: 'test',
    REMOTE_ADDR: '127.0.0.1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  const protocol = req.headers['git-protocol'];
  if (protocol && options.protocolV2 !== false) env.GIT_PROTOCOL = String(protocol);

  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => {});
  child.stderr.resume();
  res.on('close', () => { if (child.exitCode === null) child.kill(); });

  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const parsed = parseCgiHead(head);
    if (!parsed) return;
    headersSent = true;
    res.writeHead(parsed.status, parsed.headers);
    if (parsed.rest.length > 0) res.write(parsed.rest);
  });
  child.on('close', () => {
    if (!headersSent) res.writeHead(502).end('http-backend failed\n');
    else res.end();
  });
}

/** Splits a CGI response into its status, headers (incl. `Status:`) and the body bytes read so far. */
function parseCgiHead(buffer: Buffer): { status: number; headers: Record<string, string>; rest: Buffer } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  const [end, sep] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
  if (end === -1) return undefined;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of buffer.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  return { status, headers, rest: buffer.subarray(end + sep) };
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
