/**
 * The CLI's client for Slipway's HTTP API (`/api/v1`): Node's `fetch`, BasicAuth from
 * the credentials, JSON in and out, streamed upload bodies, ndjson log streams read as
 * they arrive (./ndjson-lines.ts), and problem answers turned
 * into {@link CliError}s (see ./api-errors.ts). Credentials go into the Authorization
 * header only, never into a message.
 */
import { Readable } from 'node:stream';
import type { App, Namespace, Origin, Release, Run, StoredSource } from '../core/types.ts';
import type { AppSummary } from '../core/app-summary.ts';
import type { GitKey, KnownHost } from '../core/ports/git-keys.ts';
import { networkError, responseError } from './api-errors.ts';
import { CliError, usageError } from './cli-error.ts';
import { readNdjson, type NdjsonLine } from './ndjson-lines.ts';

/** Where the server is and who we are. */
export interface Credentials {
  url: string;
  user?: string;
  password?: string;
}

/** `GET /api/v1/info`. */
export interface ServerInfo {
  version: string;
  runtime: 'none' | 'local' | 'kubernetes';
  blobStore: 'filesystem' | 's3';
  systemDomain: string;
  /** While the server knows no system domain (Kubernetes, derived, no ingress IP yet): why, and what to do. */
  systemDomainProblem?: string;
  /** Kubernetes: whether a controller holds the Lease, i.e. whether runs make progress. */
  controller?: { reconciling: boolean; holder?: string; problem?: string };
  defaultNamespace: string;
}

/** What `POST /api/v1/git-known-hosts` without a key answers: the key the host offered. */
export interface ScannedHost {
  host: string;
  key: string;
  fingerprint: string;
  /** True when that key is trusted already (`source` says how). */
  trusted: boolean;
  source?: 'builtin' | 'trusted';
}

/** An entry of `GET /api/v1/namespaces`. */
export interface NamespaceSummary extends Namespace {
  apps: string[];
}

/** `configuration` of an app create or update (Epinio's field names). */
export interface AppConfiguration {
  instances?: number;
  environment?: Record<string, string>;
  routes?: string[];
  builder?: string;
  /** Names of env variables whose values are secret (previews of forks do not get them). */
  secretEnv?: string[];
}

/** Body of `PATCH …/applications/:app`. */
export interface AppUpdate {
  configuration?: AppConfiguration;
  origin?: Origin;
}

/** Body of `POST …/applications`. */
export interface AppCreate extends AppUpdate {
  name: string;
}

/** Answer of `POST …/applications/:app/store`. */
export interface StoreResult {
  blobuid: string;
  format: string;
  size: number;
}

/** Body of `POST …/applications/:app/import-git` (Epinio's field names). */
export interface ImportGitRequest {
  giturl: string;
  gitrev: string;
  subdir?: string;
}

/** Typed calls of the API; every failure is a {@link CliError}. */
/** What `GET …/previews` answers (issue 15). */
export interface PreviewsAnswer {
  app: string;
  previews: { enabled: boolean; max: number; allowForks: boolean };
  items: { name: string; number: number; fork: boolean; ref: string; revision?: string; phase?: string; url?: string }[];
}

/** What `GET …/webhook` answers. */
export interface WebhookInfo {
  app: string;
  repository: string;
  branch?: string;
  watching: boolean;
  urls: { github: string; gitlab: string; gitea: string; generic: string };
  secret: string;
  contentType: string;
  events: string[];
  instructions: { github: string; gitlab: string; gitea: string; generic: string };
  /** Set when providers cannot reach the URLs (loopback, no SLIPWAY_PUBLIC_URL). */
  warning?: string;
}

export interface ApiClient {
  /** The server's base URL, for messages. */
  readonly url: string;
  info(): Promise<ServerInfo>;
  listNamespaces(): Promise<NamespaceSummary[]>;
  createNamespace(name: string): Promise<Namespace>;
  /** The namespace's apps as a listing shows them: summaries, without the run and release histories (ADR 0007). */
  listApps(namespace: string): Promise<AppSummary[]>;
  getApp(namespace: string, app: string): Promise<App>;
  createApp(namespace: string, body: AppCreate): Promise<App>;
  updateApp(namespace: string, app: string, body: AppUpdate): Promise<App>;
  deleteApp(namespace: string, app: string): Promise<{ deleted: string }>;
  /** Streams a tar.gz to the app's source store. */
  storeSource(namespace: string, app: string, archive: Readable): Promise<StoreResult>;
  importGit(namespace: string, app: string, request: ImportGitRequest): Promise<StoredSource>;
  /** Starts a stage-and-deploy run (202); without blobuid the server takes the latest source. */
  createDeployment(namespace: string, app: string, body: { blobuid?: string }): Promise<RunStarted>;
  getDeployment(namespace: string, app: string, id: string): Promise<Run>;
  listReleases(namespace: string, app: string): Promise<ReleaseEntry[]>;
  /** Starts a run redeploying a release (default: the one before the current). */
  rollback(namespace: string, app: string, body: { release?: number }): Promise<{ id: string }>;
  restartApp(namespace: string, app: string): Promise<{ restarted: string }>;
  /** Turns watching the app's git branch on or off (`…/watch`). */
  setWatch(namespace: string, app: string, body: { watch: boolean; interval?: string }): Promise<App>;
  /** `POST …/previews`: pull request previews on or off (off deletes them). */
  setPreviews(namespace: string, app: string, body: { enabled: boolean; max?: number; allowForks?: boolean }): Promise<PreviewsAnswer & { removed: string[] }>;
  /** `GET …/previews`: the settings and the open previews. */
  previews(namespace: string, app: string): Promise<PreviewsAnswer>;
  /** Webhook URLs, the app's secret and setup steps (`…/webhook`). */
  webhook(namespace: string, app: string): Promise<WebhookInfo>;
  /** The app's instance output as it arrives (`…/logs`); ends when the server ends it. */
  appLogs(namespace: string, app: string, options: LogRequest): AsyncIterable<NdjsonLine<LogLine>>;
  /** A stage's build output (`…/staging/:id/logs`); with follow it ends when the stage ends. */
  stagingLogs(namespace: string, stageId: string, options: LogRequest): AsyncIterable<NdjsonLine<LogLine>>;
  /** `GET /api/v1/git-keys` (admin). */
  listGitKeys(): Promise<GitKey[]>;
  /** `POST /api/v1/git-keys` (admin): generated when no `privateKey`. */
  addGitKey(body: { host: string; name?: string; privateKey?: string }): Promise<GitKey>;
  removeGitKey(name: string): Promise<{ deleted: string }>;
  listKnownHosts(): Promise<KnownHost[]>;
  /** `POST /api/v1/git-known-hosts` without a key: what the host offers, not trusted by this. */
  scanKnownHost(body: { host: string; port?: number }): Promise<ScannedHost>;
  trustKnownHost(body: { host: string; port?: number; key: string }): Promise<KnownHost>;
}

/** Answer of `POST …/applications/:app/deployments`. */
export interface RunStarted {
  id: string;
  app: string;
  namespace: string;
}

/** An entry of `GET …/applications/:app/releases`, newest first. */
export interface ReleaseEntry extends Release {
  current: boolean;
}

/** One line of build or app output, as the log endpoints send it. */
export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  /** Instance (app logs) or step (staging logs). */
  source?: string;
}

/** How to read a log stream. */
export interface LogRequest {
  follow: boolean;
  /** Lines from the end to start with (app logs only). */
  tail?: number;
  /** Ends the stream; the loop then ends with an AbortError. */
  signal?: AbortSignal;
}

/** Seams for tests. */
export interface ApiClientDeps {
  fetch?: typeof fetch;
}

interface RequestOptions {
  json?: unknown;
  body?: Readable;
  contentType?: string;
}

/** The server URL without a trailing slash; refuses non-http(s) URLs and embedded credentials. */
export function checkedBase(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`the server URL ${JSON.stringify(raw)} is not a URL`, 'check --url, SLIPWAY_URL or log in again with `slipway login URL`');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`the server URL must be http or https, not ${url.protocol}`);
  if (url.username || url.password) throw usageError('the server URL must not hold credentials', 'pass them with --user and --password, or SLIPWAY_USER and SLIPWAY_PASSWORD');
  return url.href.replace(/\/+$/, '');
}

/** Builds an {@link ApiClient} for the given server and user. */
export function createApiClient(credentials: Credentials, deps: ApiClientDeps = {}): ApiClient {
  const doFetch = deps.fetch ?? fetch;
  const base = checkedBase(credentials.url);
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (credentials.user !== undefined || credentials.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${credentials.user ?? ''}:${credentials.password ?? ''}`).toString('base64')}`;
  }
  const apps = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/applications`;
  const app = (ns: string, name: string) => `${apps(ns)}/${encodeURIComponent(name)}`;

  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const init: RequestInit & { duplex?: 'half' } = { method, headers: { ...headers } };
    if (options.json !== undefined) {
      init.body = JSON.stringify(options.json);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    } else if (options.body) {
      // A streamed request body needs half duplex in Node's fetch (undici).
      init.body = Readable.toWeb(options.body) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
      (init.headers as Record<string, string>)['content-type'] = options.contentType ?? 'application/octet-stream';
    }
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, init);
    } catch (error) {
      throw networkError(error, base);
    }
    if (!response.ok) throw await responseError(response);
    const text = await response.text();
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      throw new CliError(`${base} answered ${method} ${path} with something that is not JSON; is this a Slipway server?`, {
        code: 'bad_response', hint: 'check the URL (`slipway login URL`, SLIPWAY_URL or --url)',
      });
    }
  }

  /** GETs an ndjson stream; read failures become CliErrors unless the caller aborted. */
  async function* lines(path: string, options: LogRequest): AsyncGenerator<NdjsonLine<LogLine>> {
    const query = new URLSearchParams({ follow: String(options.follow) });
    if (options.tail !== undefined) query.set('tail', String(options.tail));
    const url = `${base}${path}?${query}`;
    try {
      const response = await doFetch(url, { headers: { ...headers, accept: 'application/x-ndjson, application/problem+json' }, signal: options.signal });
      if (!response.ok) throw await responseError(response);
      if (response.body) yield* readNdjson<LogLine>(response.body);
    } catch (error) {
      if (error instanceof CliError || options.signal?.aborted) throw error;
      throw networkError(error, base);
    }
  }

  return {
    url: base,
    info: () => request('GET', '/api/v1/info'),
    listNamespaces: () => request('GET', '/api/v1/namespaces'),
    createNamespace: (name) => request('POST', '/api/v1/namespaces', { json: { name } }),
    listApps: (ns) => request('GET', apps(ns)),
    getApp: (ns, name) => request('GET', app(ns, name)),
    createApp: (ns, body) => request('POST', apps(ns), { json: body }),
    updateApp: (ns, name, body) => request('PATCH', app(ns, name), { json: body }),
    deleteApp: (ns, name) => request('DELETE', app(ns, name)),
    storeSource: (ns, name, archive) => request('POST', `${app(ns, name)}/store`, { body: archive, contentType: 'application/gzip' }),
    importGit: (ns, name, body) => request('POST', `${app(ns, name)}/import-git`, { json: body }),
    createDeployment: (ns, name, body) => request('POST', `${app(ns, name)}/deployments`, { json: body }),
    getDeployment: (ns, name, id) => request('GET', `${app(ns, name)}/deployments/${encodeURIComponent(id)}`),
    listReleases: (ns, name) => request('GET', `${app(ns, name)}/releases`),
    rollback: (ns, name, body) => request('POST', `${app(ns, name)}/rollback`, { json: body }),
    restartApp: (ns, name) => request('POST', `${app(ns, name)}/restart`, { json: {} }),
    setWatch: (ns, name, body) => request('POST', `${app(ns, name)}/watch`, { json: body }),
    setPreviews: (ns, name, body) => request('POST', `${app(ns, name)}/previews`, { json: body }),
    previews: (ns, name) => request('GET', `${app(ns, name)}/previews`),
    webhook: (ns, name) => request('GET', `${app(ns, name)}/webhook`),
    appLogs: (ns, name, options) => lines(`${app(ns, name)}/logs`, options),
    listGitKeys: () => request('GET', '/api/v1/git-keys'),
    addGitKey: (body) => request('POST', '/api/v1/git-keys', { json: body }),
    removeGitKey: (name) => request('DELETE', `/api/v1/git-keys/${encodeURIComponent(name)}`),
    listKnownHosts: () => request('GET', '/api/v1/git-known-hosts'),
    scanKnownHost: (body) => request('POST', '/api/v1/git-known-hosts', { json: body }),
    trustKnownHost: (body) => request('POST', '/api/v1/git-known-hosts', { json: body }),
    stagingLogs: (ns, id, options) => lines(`/api/v1/namespaces/${encodeURIComponent(ns)}/staging/${encodeURIComponent(id)}/logs`, { ...options, tail: undefined }),
  };
}
