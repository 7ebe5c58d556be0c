/**
 * A local HTTP server standing in for the GitHub REST API (octokit is pointed at it
 * with `baseUrl`): records every request and answers commit statuses with 201, keeps
 * issue comments (list, create, edit), and answers
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

/** An issue (pull request) comment the fake holds; `issue` is `owner/repo#number`. */
export interface GitHubComment {
  id: number;
  issue: string;
  body: string;
  /** Times it was edited. */
  updates: number;
}

/** A running fake. */
export interface FakeGitHub {
  url: string;
  calls: GitHubCall[];
  /** Issue comments created (and edited) through the API. */
  comments: GitHubComment[];
  /** Change the answer to commit statuses while running. */
  options: FakeGitHubOptions;
  close(): Promise<void>;
}

/** The installation token the fake hands out. */
export const FAKE_INSTALLATION_TOKEN = 'ghs_fakeinstallationtoken';

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const calls: GitHubCall[] = [];
  const comments: GitHubComment[] = [];
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
    // Issue comments (preview comments), kept per repository and issue.
    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    if (list && (req.method === 'GET' || req.method === 'POST')) {
      const key = `${list[1]}/${list[2]}#${list[3]}`;
      if (req.method === 'GET') return send(200, comments.filter((c) => c.issue === key).map(({ id, body }) => ({ id, body })));
      const comment = { id: comments.length + 1, issue: key, body: String((body as { body?: unknown }).body ?? ''), updates: 0 };
      comments.push(comment);
      return send(201, { id: comment.id, body: comment.body });
    }
    const edit = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    if (edit && req.method === 'PATCH') {
      const comment = comments.find((c) => c.id === Number(edit[3]));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = String((body as { body?: unknown }).body ?? '');
      comment.updates += 1;
      return send(200, { id: comment.id, body: comment.body });
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
    comments,
    options: state,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
