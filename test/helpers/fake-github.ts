/**
 * A local HTTP server standing in for the GitHub REST API (octokit is pointed at it
 * with `baseUrl`): records every request and answers commit statuses with 201 and an
 * installation token request (GitHub App auth) with a token, as GitHub does.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded request; `body` is the parsed JSON body, if any. */
export interface GitHubCall {
  method: string;
  path: string;
  body: any;
  authorization?: string;
}

/** Options for {@link startFakeGitHub}. */
export interface FakeGitHubOptions {
  /** Answer commit statuses with this status instead of 201 (e.g. 500, to test that failures are swallowed). */
  statusCode?: number;
}

/** A running fake. */
export interface FakeGitHub {
  url: string;
  calls: GitHubCall[];
  /** Change the answer to commit statuses while running. */
  options: FakeGitHubOptions;
  close(): Promise<void>;
}

/** The installation token the fake hands out. */
export const FAKE_INSTALLATION_TOKEN = 'ghs_fakeinstallationtoken';

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const calls: GitHubCall[] = [];
  const state = { ...options };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
    const path = (req.url ?? '/').replace(/\?.*/, '');
    calls.push({ method: req.method ?? 'GET', path, body, authorization: req.headers.authorization });
    const send = (status: number, payload: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(payload));
    const status = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(path);
    if (req.method === 'POST' && status) {
      if (state.statusCode && state.statusCode !== 201) return send(state.statusCode, { message: 'Server Error' });
      const b = body as Record<string, unknown>;
      return send(201, { id: calls.length, state: b.state, description: b.description ?? null, target_url: b.target_url ?? null, context: b.context ?? 'default', created_at: new Date().toISOString() });
    }
    const token = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (req.method === 'POST' && token) {
      return send(201, { token: FAKE_INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { statuses: 'write' }, repository_selection: 'all' });
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    options: state,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
