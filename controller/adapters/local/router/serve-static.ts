/**
 * Serves a folder of files. Written here rather than taken from `send`/`serve-handler`
 * because the one property that matters most — never a file outside the root, through
 * `..`, encoded `%2e%2e` or a symlink — needs a realpath check those libraries do not
 * make (both follow symlinks out of the root), and the rest is small: GET/HEAD, content
 * types, `index.html` for folders, ETag/Last-Modified with 304. Dotfiles are never
 * served (a committed `.env` or `.git/` must not leak), except under `/.well-known/`
 * (RFC 8615). A single-page app's unknown extension-less paths get its `index.html`.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, posix, sep } from 'node:path';
import { contentType } from './content-type.ts';
import { sendProblem } from './problem.ts';

/**
 * The file a URL path names under `root`, or undefined when it names none or would
 * leave the root. `path` is the request path below the route's prefix, query removed.
 */
export async function resolveStaticFile(root: string, path: string): Promise<{ file: string; size: number; mtime: Date } | 'folder-without-slash' | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  // Normalising a rooted path can never climb above '/': `/../x` becomes `/x`.
  const relative = posix.normalize(`/${decoded}`);
  if (hidden(relative)) return undefined;
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(realRoot, relative));
  } catch {
    return undefined;
  }
  // A symlink inside the root may point anywhere: judge where it really leads.
  if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
  // …and a symlink with an innocent name must not lead to a dotfile either.
  if (real !== realRoot && hidden(real.slice(realRoot.length).split(sep).join('/'))) return undefined;
  const info = await stat(real).catch(() => undefined);
  if (info?.isDirectory()) {
    if (!decoded.endsWith('/')) return 'folder-without-slash';
    const index = await resolveStaticFile(root, `${path}index.html`);
    return index === 'folder-without-slash' ? undefined : index;
  }
  return info?.isFile() ? { file: real, size: info.size, mtime: info.mtime } : undefined;
}

/**
 * True when a rooted path has a segment starting with `.` — a dotfile or dot-folder
 * (`.env`, `.git/`, `.github/`) — other than a leading `/.well-known/`, which is public
 * by definition (RFC 8615: ACME challenges, security.txt).
 */
export function hidden(relative: string): boolean {
  const segments = relative.split('/').filter((segment) => segment !== '');
  return segments.some((segment, i) => segment.startsWith('.') && !(i === 0 && segment === '.well-known'));
}

/**
 * True when a request for a missing file should get a single-page app's `index.html`:
 * the last segment has no extension (`/users/42`, not `/app.js` or `/logo.png`, which
 * stay 404 so a broken asset link is not answered with HTML). Dot-paths never do.
 */
export function wantsAppShell(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  const last = decoded.split('/').pop() ?? '';
  return !last.includes('.') && !hidden(posix.normalize(`/${decoded}`));
}

/** How {@link serveStatic} serves a folder. */
export interface StaticOptions {
  /** A file (relative to the root) answered for unknown extension-less paths: `index.html` for a single-page app. */
  fallback?: string;
}

/** Answers a request from the files under `root`; `path` is the URL path below the route's prefix. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, path: string, options: StaticOptions = {}): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendProblem(res, 405, 'method_not_allowed', `${req.method} is not allowed on static files`);
  }
  let found = await resolveStaticFile(root, path);
  if (found === undefined && options.fallback !== undefined && wantsAppShell(path)) {
    found = await resolveStaticFile(root, `/${options.fallback}`);
  }
  if (found === 'folder-without-slash') {
    // Relative links in the folder's index.html resolve against the folder only with a slash.
    const [pathname, query] = splitQuery(req.url ?? '/');
    res.writeHead(301, { location: `${pathname}/${query}`, 'content-length': 0 });
    return void res.end();
  }
  if (!found) return sendProblem(res, 404, 'not_found', `no file at ${path}`);
  const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtime.getTime()).toString(16)}"`;
  const headers = {
    'content-type': contentType(found.file),
    'x-content-type-options': 'nosniff',
    etag,
    'last-modified': found.mtime.toUTCString(),
    'cache-control': 'no-cache',
  };
  const since = req.headers['if-modified-since'];
  const fresh = req.headers['if-none-match'] ? req.headers['if-none-match'].split(',').some((tag) => tag.trim() === etag)
    : since !== undefined && Math.floor(found.mtime.getTime() / 1000) <= Math.floor(Date.parse(since) / 1000);
  if (fresh) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'content-length': found.size });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(found.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Splits a request URL into its path and `?query` (the query keeps its `?`). */
export function splitQuery(url: string): [string, string] {
  const at = url.indexOf('?');
  return at === -1 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}
