/**
 * One spelling per repository, so a webhook's repository (html, clone, ssh and git
 * URLs) matches an app's origin however either was written: `host/owner/repo`, host
 * lower-cased, no scheme, no user, no port for the default ones, no `.git`, no
 * trailing slash. `git@github.com:Org/App.git`, `ssh://git@github.com/Org/App`,
 * `https://GitHub.com/Org/App.git/` all become `github.com/Org/App`.
 */
export function normaliseRepoUrl(url: string): string | undefined {
  const text = url.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
  let host: string;
  let path: string;
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    if (!['http:', 'https:', 'ssh:', 'git:', 'git+ssh:'].includes(parsed.protocol)) return undefined;
    host = parsed.port && !['80', '443', '22', '9418'].includes(parsed.port) ? `${parsed.hostname}:${parsed.port}` : parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  }
  if (/\s/.test(path) || path.startsWith(':')) return undefined;
  const clean = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/i, '').replace(/\/+$/, '');
  if (!host || !clean) return undefined;
  return `${host.toLowerCase()}/${clean}`;
}

/** The branch a `refs/heads/…` ref names (slashes kept), or undefined for tags and other refs. */
export function branchOfRef(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') && ref.length > 'refs/heads/'.length ? ref.slice('refs/heads/'.length) : undefined;
}

/** What a verified webhook delivery says: "this repository's branch moved". A hint, never the truth. */
export interface RefreshHint {
  provider: 'github' | 'gitlab' | 'gitea' | 'generic';
  /** Every URL the payload gives for the repository (html, clone, ssh, git); matched after {@link normaliseRepoUrl}. */
  repositoryUrls: string[];
  branch: string;
  /** The commit the provider says the branch moved to (the check resolves the head itself). */
  after?: string;
  deliveryId?: string;
}

/**
 * What a verified pull request (merge request) delivery says: "pull request `number` of
 * this repository was opened, got commits, or was closed". A hint like a push: the
 * head is read from the repository's refs before anything is built.
 */
export interface PreviewHint {
  provider: 'github' | 'gitlab' | 'gitea';
  repositoryUrls: string[];
  number: number;
  /** `open` covers opened, reopened and new commits; `close` covers closed and merged. */
  action: 'open' | 'close';
  /** The head comes from another repository (a fork). */
  fork: boolean;
  /** The head commit the provider names (the check reads the ref itself). */
  head?: string;
  /** When the provider last changed the pull request (ISO 8601): an older delivery than what was acted on is stale. */
  updatedAt?: string;
  deliveryId?: string;
}
