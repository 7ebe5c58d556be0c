/**
 * Git input rules — the URL (http(s) only, no credentials in it), the revision and
 * the subdirectory — shared by the API's request schemas, the pipeline and the git
 * adapter, so all three accept exactly the same. They run before any network access,
 * so a refused URL never reaches a socket.
 */
import { invalidGitUrl, invalidRequest } from './error-cases.ts';
import { redactUrl } from './redact.ts';

/**
 * Parses and checks a git URL. Only `http:` and `https:` are accepted: `file://`,
 * `ssh://`, `git://`, remote helpers (`ext::cmd`) and scp-like `git@host:path` are
 * refused, and so are URLs with user-info (credentials belong in the credentials
 * file, never in a URL that is stored and logged). Returns the URL without a
 * trailing slash, fragment or `.git/` quirks left alone.
 */
export function validateGitUrl(raw: string): URL {
  const text = raw.trim();
  const shown = redactUrl(text);
  if (text === '') throw invalidGitUrl('""', 'the URL is empty');
  if (/^[a-z][a-z0-9+.-]*::/i.test(text)) throw invalidGitUrl(shown, 'remote helpers (transport::address) are not supported; use an https:// URL');
  if (/^[^/:]+@[^/:]+:/.test(text) || (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^[^/]+:/.test(text))) {
    throw invalidGitUrl(shown, 'scp-like SSH addresses (git@host:path) are not supported; use an https:// URL');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidGitUrl(shown, 'not a valid URL; use https://host/owner/repo.git');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidGitUrl(shown, `the ${url.protocol.replace(/:$/, '')} scheme is not supported; only http:// and https:// are`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidGitUrl(redactUrl(url.href), 'credentials in the URL are not accepted; put them in the credentials file (SLIPWAY_GIT_CREDENTIALS_FILE)');
  }
  if (url.hostname === '') throw invalidGitUrl(shown, 'the URL has no host');
  url.hash = '';
  url.search = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/**
 * Checks a revision as typed by a user: empty (default branch), a branch or tag name,
 * or a SHA. Refuses what could be read as an option (`-…`) or escape a ref namespace.
 */
export function validateRevision(revision: string): string {
  const rev = revision.trim();
  if (rev.startsWith('-')) throw invalidRequest(`revision ${JSON.stringify(rev)} must not start with "-"`, { field: 'gitrev' });
  if (rev.includes('..') || /[\0\s~^:?*[\\]/.test(rev) || rev.includes('@{')) {
    throw invalidRequest(`revision ${JSON.stringify(rev)} is not a valid branch, tag or commit name`, { field: 'gitrev' });
  }
  return rev;
}

/**
 * Checks and normalises a subdirectory: relative, slash-separated, no `..`, no NUL, no
 * leading `-`. Returns it without leading/trailing slashes (`''` for the root).
 */
export function validateSubdir(subdir: string | undefined): string {
  const dir = (subdir ?? '').trim().replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (dir === '' || dir === '.') return '';
  const parts = dir.split('/');
  if (dir.startsWith('-') || dir.includes('\0') || parts.some((p) => p === '..' || p === '' || p === '.' || p === '.git')) {
    throw invalidRequest(`subdir ${JSON.stringify(subdir)} must be a relative path inside the repository (no "..", "." or leading "-")`, { field: 'subdir' });
  }
  return dir;
}
