/**
 * Credentials for private repositories: per-host HTTPS username + token, read from a
 * file in git-credential-store's format (`https://user:token@host[/path]`, one per
 * line). They go into the Authorization header of our own git requests only,
 * and never logged or put in a message.
 */
import { readFile } from 'node:fs/promises';
import { SlipwayError } from '../../../core/errors.ts';

/** A username and password (or token) for BasicAuth. */
export interface GitAuth {
  username: string;
  password: string;
}

/** Looks up the credentials that apply to a repository URL. */
export interface GitCredentials {
  /** The entry whose protocol and host (incl. port) match and whose path is the longest prefix of the URL's; undefined when none. */
  forUrl(url: string): GitAuth | undefined;
}

interface Entry extends GitAuth {
  origin: string;
  path: string;
}

/** No credentials at all. */
export const noGitCredentials: GitCredentials = { forUrl: () => undefined };

/**
 * Parses a credentials file. Blank lines and `#` comments are skipped. A line that is
 * not an http(s) URL with a username is refused with its line number only (never its
 * text: it holds a secret). Username and token are percent-decoded as git does.
 */
export function parseGitCredentials(text: string): GitCredentials {
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let url: URL | undefined;
    try { url = new URL(line); } catch { url = undefined; }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username === '') {
      throw new SlipwayError('invalid_config',
        `git credentials file, line ${index + 1}: expected https://user:token@host[/path]`, { status: 500, expose: true });
    }
    entries.push({
      origin: url.origin,
      path: url.pathname.replace(/\/+$/, ''),
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    });
  });
  return {
    forUrl(target) {
      let url: URL;
      try { url = new URL(target); } catch { return undefined; }
      const path = url.pathname.replace(/\/+$/, '');
      let best: Entry | undefined;
      for (const entry of entries) {
        if (entry.origin !== url.origin) continue;
        if (entry.path !== '' && path !== entry.path && !path.startsWith(`${entry.path}/`)) continue;
        if (!best || entry.path.length > best.path.length) best = entry;
      }
      return best && { username: best.username, password: best.password };
    },
  };
}

/** Reads a credentials file; a missing file means no credentials. */
export async function loadGitCredentials(path: string | undefined): Promise<GitCredentials> {
  if (!path) return noGitCredentials;
  try {
    return parseGitCredentials(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return noGitCredentials;
    throw error;
  }
}

/** The value of an Authorization header for BasicAuth. */
export function basicAuthHeader(auth: GitAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}
