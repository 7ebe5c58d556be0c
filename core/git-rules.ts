/**
 * Git input rules — the URL (http(s) or SSH, no credentials in it), the revision and
 * the subdirectory — shared by the API's request schemas, the pipeline and the git
 * adapter, so all three accept exactly the same. They run before any network access,
 * so a refused URL never reaches a socket.
 */
import { invalidGitUrl, invalidRequest } from './error-cases.ts';
import { redactUrl } from './redact.ts';

/** A checked git URL: an http(s) URL, or an SSH address (issue 17). */
export interface GitUrl {
  /**
   * The normal form, what Slipway stores and compares: http(s) without trailing slash,
   * fragment or query; SSH as `ssh://user@host[:port]/path` (host lower-cased, user
   * `git` when none is given, port 22 left out), or `user@host:path` for an scp-like
   * address whose path is relative (to the SSH user's home: not the same repository
   * as `/path`, so it keeps its own form).
   */
  href: string;
  transport: 'http' | 'ssh';
  /** Host name or address, lower-case, without IPv6 brackets. */
  host: string;
  /** The port (default 22, 80 or 443 filled in). */
  port: number;
  /** SSH only: the user to log in as. */
  user?: string;
  /** SSH only: the repository path `git-upload-pack` is given, decoded (relative for scp-like addresses). */
  path?: string;
}

/**
 * Parses and checks a git URL: `http:`/`https:` URLs, `ssh://[user@]host[:port]/path`
 * (also spelled `git+ssh://` or `ssh+git://`) and scp-like `[user@]host:path`.
 * Refused: other schemes (`file://`, `git://`), remote helpers (`ext::cmd`),
 * credentials in http(s) URLs (they belong in the credentials file, never in a URL
 * that is stored and logged), passwords in SSH URLs (SSH uses deploy keys), and a
 * user, host or path starting with `-` or holding control characters (anything an
 * `ssh` or `git` command line could read as an option).
 */
export function validateGitUrl(raw: string): GitUrl {
  const text = raw.trim();
  const shown = redactUrl(text);
  if (text === '') throw invalidGitUrl('""', 'the URL is empty');
  if (/^[a-z][a-z0-9+.-]*::/i.test(text)) throw invalidGitUrl(shown, 'remote helpers (transport::address) are not supported; use an https:// or ssh:// URL');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) throw invalidGitUrl(JSON.stringify(shown), 'control characters are not allowed');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^[^/]+:/.test(text)) return scpLike(text, shown);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidGitUrl(shown, 'not a valid URL; use https://host/owner/repo.git or git@host:owner/repo.git');
  }
  if (['ssh:', 'git+ssh:', 'ssh+git:'].includes(url.protocol)) return sshUrl(url, shown);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidGitUrl(shown, `the ${url.protocol.replace(/:$/, '')} scheme is not supported; only http://, https:// and ssh:// (or git@host:path) are`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidGitUrl(redactUrl(url.href), 'credentials in the URL are not accepted; put them in the credentials file (SLIPWAY_GIT_CREDENTIALS_FILE)');
  }
  if (url.hostname === '') throw invalidGitUrl(shown, 'the URL has no host');
  url.hash = '';
  url.search = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return {
    href: url.href, transport: 'http', host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
  };
}

const SSH_USER = /^[a-z0-9_][a-z0-9._-]*$/i;

/** `[user@]host:path`, git's scp-like syntax: no slash before the first colon. */
function scpLike(text: string, shown: string): GitUrl {
  if (/^[^@/]*:[^@/]*@/.test(text)) throw invalidGitUrl('(an SSH address with a password)', 'passwords in SSH addresses are not accepted; Slipway logs in with deploy keys (slipway git-keys add HOST)');
  const match = /^(?:([^@/:]*)@)?(\[[^\]/]*\]|[^@/:[\]]*):(.*)$/.exec(text);
  if (!match) throw invalidGitUrl(shown, 'not a valid scp-like SSH address; use user@host:owner/repo.git (a password is never part of it: SSH uses deploy keys)');
  const [, user = 'git', rawHost = '', rawPath = ''] = match;
  const host = sshHost(rawHost, shown);
  checkUser(user, shown);
  const path = sshPath(rawPath.replace(/\/+$/, ''), shown);
  // An absolute path names the same repository as the ssh:// URL: one spelling for both.
  if (path.startsWith('/')) return sshForm(user, host, 22, path);
  return { href: `${user}@${host.includes(':') ? `[${host}]` : host}:${path}`, transport: 'ssh', host, port: 22, user, path };
}

function sshUrl(url: URL, shown: string): GitUrl {
  if (url.password !== '') throw invalidGitUrl(redactUrl(url.href), 'passwords in SSH URLs are not accepted; Slipway logs in with deploy keys (slipway git-keys add HOST)');
  let user = 'git';
  try {
    if (url.username !== '') user = decodeURIComponent(url.username);
  } catch {
    throw invalidGitUrl(shown, 'the user name is not valid percent-encoding');
  }
  checkUser(user, shown);
  const host = sshHost(url.hostname, shown);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.replace(/\/+$/, ''));
  } catch {
    throw invalidGitUrl(shown, 'the path is not valid percent-encoding');
  }
  // ssh://host/~/repo and ssh://host/~user/repo name paths under a home folder, as in git.
  if (path.startsWith('/~')) path = path.slice(1);
  return sshForm(user, host, url.port ? Number(url.port) : 22, sshPath(path, shown));
}

function sshForm(user: string, host: string, port: number, path: string): GitUrl {
  const at = host.includes(':') ? `[${host}]` : host;
  const encoded = (path.startsWith('~') ? `/${path}` : path).split('/').map((part) => encodeURIComponent(part).replace(/%7E/gi, '~')).join('/');
  return { href: `ssh://${user}@${at}${port === 22 ? '' : `:${port}`}${encoded}`, transport: 'ssh', host, port, user, path };
}

function sshHost(raw: string, shown: string): string {
  const host = raw.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === '') throw invalidGitUrl(shown, 'the address has no host');
  if (host.startsWith('-') || !/^[a-z0-9._:-]+$/.test(host)) throw invalidGitUrl(shown, 'the host must be a name or an address (letters, digits, ".", "-", not starting with "-")');
  return host;
}

function checkUser(user: string, shown: string): void {
  if (!SSH_USER.test(user)) throw invalidGitUrl(shown, 'the SSH user must be letters, digits, ".", "_" or "-", not starting with "-" or "."');
}

function sshPath(path: string, shown: string): string {
  const bare = path.replace(/^\/+/, '');
  if (bare === '' || bare === '~') throw invalidGitUrl(shown, 'the address names no repository path');
  if (path.startsWith('-') || bare.startsWith('-')) throw invalidGitUrl(shown, 'the repository path must not start with "-"');
  return path;
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
