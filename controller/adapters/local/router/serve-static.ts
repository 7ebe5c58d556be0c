/**
 * Serves a folder of files. Written here rather than taken from `send`/`serve-handler`
 * because the one property that matters most — never a file outside the root, through
 * `..`, encoded `%2e%2e` or a symlink — needs a realpath check those libraries do not
 * make (both follow symlinks out of the root), and the rest is small: GET/HEAD, content
 * types, `index.html` for folders, ETag/Last-Modified with 304.
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
  const info = await stat(real).catch(() => undefined);
  if (info?.isDirectory()) {
    if (!decoded.endsWith('/')) return 'folder-without-slash';
    const index = await resolveStaticFile(root, `${path}index.html`);
    return index === 'folder-without-slash' ? undefined : index;
  }
  return info?.isFile() ? { file: real, size: info.size, mtime: info.mtime } : undefined;
}

/** Answers a request from the files under `root`; `path` is the URL path below the route's prefix. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendProblem(res, 405, 'method_not_allowed', `${req.method} is not allowed on static files`);
  }
  const found = await resolveStaticFile(root, path);
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
