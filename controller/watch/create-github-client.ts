/**
 * The GitHub client for commit statuses: an `Octokit` from the `octokit` package,
 * authenticated with a token (SLIPWAY_GITHUB_TOKEN) or as a GitHub App installation,
 * against github.com or a GitHub Enterprise API URL (SLIPWAY_GITHUB_API_URL).
 */
import { SlipwayError } from '../../core/errors.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { silentLogger } from '../../core/ports/logger.ts';
import { redact } from '../../core/redact.ts';

/** The one call the commit-status reporter makes; an Octokit satisfies it. */
export interface CommitStatusClient {
  rest: {
    repos: {
      createCommitStatus(params: {
        owner: string; repo: string; sha: string;
        state: 'pending' | 'success' | 'failure' | 'error';
        target_url?: string; description?: string; context?: string;
      }): Promise<unknown>;
    };
  };
}

/**
 * The calls Slipway makes: commit statuses always, and with a token also the pull
 * request comments of preview apps (`issues`; absent with App credentials).
 */
export interface GitHubClient extends CommitStatusClient {
  rest: CommitStatusClient['rest'] & {
    issues?: {
      listComments(params: { owner: string; repo: string; issue_number: number; per_page?: number; page?: number }): Promise<{ data: { id: number; body?: string | null }[] }>;
      createComment(params: { owner: string; repo: string; issue_number: number; body: string }): Promise<{ data: { id: number } }>;
      updateComment(params: { owner: string; repo: string; comment_id: number; body: string }): Promise<unknown>;
    };
  };
}

/** How Slipway authenticates to GitHub: a token, or a GitHub App installation. */
export type GitHubAuth =
  | { token: string }
  | { appId: number | string; privateKey: string; installationId: number };

/** Options for {@link createGitHubClient}. */
export type GitHubClientOptions = GitHubAuth & {
  /** REST API base URL (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3). */
  baseUrl?: string;
  /** Retries of a failed request (default 2); a status is not worth a long wait. */
  retries?: number;
  /**
   * octokit spaces writes that trigger notifications (statuses) ~3 s apart, as GitHub
   * asks to avoid its secondary rate limit; tests against a fake turn that off.
   */
  throttle?: boolean;
  logger?: Logger;
};

/** octokit's log, sent to Slipway's logger with secrets redacted. */
function octokitLog(logger: Logger) {
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => logger[level]({ component: 'github' }, redact(String(message)));
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * Builds the client. octokit is loaded on the first status sent, not at start: it costs
 * the server ~2 MiB of RssAnon (~5 MiB in a bare process; bench/import-rss.ts), and
 * most servers send few statuses or none. With App credentials the installation token
 * is fetched on first use and renewed by octokit before it expires.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!('token' in options && options.token) && !('appId' in options)) throw new SlipwayError('invalid_config', 'the GitHub client needs a token or GitHub App credentials', { status: 500 });
  let client: Promise<GitHubClient> | undefined;
  const built = (): Promise<GitHubClient> => {
    client ??= buildGitHubClient(options);
    client.catch(() => { client = undefined; });
    return client;
  };
  const rest: GitHubClient['rest'] = {
    repos: { createCommitStatus: async (params) => (await built()).rest.repos.createCommitStatus(params) },
  };
  // A token's Octokit also writes pull request comments (preview comments, issue 15);
  // they must stay reachable through the lazy client, or the commenter is never wired.
  if ('token' in options && options.token) {
    const issues = async () => (await built()).rest.issues!;
    rest.issues = {
      listComments: async (params) => (await issues()).listComments(params),
      createComment: async (params) => (await issues()).createComment(params),
      updateComment: async (params) => (await issues()).updateComment(params),
    };
  }
  return { rest };
}

/** The octokit client behind {@link createGitHubClient}. */
async function buildGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const { App, Octokit } = await import('octokit');
  const logger = options.logger ?? silentLogger;
  const common = {
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    retry: { retries: options.retries ?? 2 },
    ...(options.throttle === false ? { throttle: { enabled: false } } : {}),
    log: octokitLog(logger),
  };
  if ('token' in options && options.token) return new Octokit({ auth: options.token, ...common }) as unknown as GitHubClient;
  if (!('appId' in options)) throw new SlipwayError('invalid_config', 'the GitHub client needs a token or GitHub App credentials', { status: 500 });
  const app = new App({ appId: options.appId, privateKey: options.privateKey, Octokit: Octokit.defaults(common), log: common.log });
  let installation: Promise<GitHubClient> | undefined;
  return {
    rest: {
      repos: {
        async createCommitStatus(params) {
          installation ??= app.getInstallationOctokit(options.installationId);
          installation.catch(() => { installation = undefined; });
          return (await installation).rest.repos.createCommitStatus(params);
        },
      },
    },
  };
}

/**
 * The web host whose repositories a GitHub API URL serves: `https://api.github.com` →
 * `github.com`, `https://ghe.example.com/api/v3` → `ghe.example.com`.
 */
export function githubHostOf(apiUrl: string | undefined): string {
  if (!apiUrl) return 'github.com';
  const url = new URL(apiUrl);
  const host = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  return host === 'api.github.com' ? 'github.com' : host.replace(/^api\./, '').toLowerCase();
}
