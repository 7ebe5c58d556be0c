/**
 * A tiny real HTTP server implementing Slipway's `/api/v1` contract in memory, for
 * CLI tests: BasicAuth, namespaces, applications, `store` and `import-git`, problem
 * answers, and the runtime routes (deployments, staging logs, releases, rollback, app
 * logs, restart). It records every request and keeps uploaded bodies, so a test can
 * unpack exactly what the CLI sent (see {@link readTarGz}).
 *
 * A run advances one phase each time it is polled (`GET …/deployments/:id`):
 * pending → staging → staging → deploying → succeeded (a rollback skips staging), so
 * tests need no clocks. A staging log stream with `follow=true` ends when the stage does.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { nameProblem } from '../../core/names.ts';
import type { App, Origin, Release, Run, RunPhase } from '../../core/types.ts';

/** Options for {@link startFakeApi}. */
export interface FakeApiOptions {
  /** Accepted users (default `{ admin: 'admin-password' }`). */
  users?: Record<string, string>;
  /** What `GET /api/v1/info` reports (default `none`). */
  runtime?: 'none' | 'local' | 'kubernetes';
  /** The stage of a deploy run is over by the first poll, as a build faster than the CLI's first look. */
  quickStages?: boolean;
  /** Namespaces that exist at start (default `['workspace']`). */
  namespaces?: string[];
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string, e.g. `?follow=true&tail=5` (empty when none). */
  search: string;
  user?: string;
  contentType?: string;
  /** Parsed JSON body, when there was one. */
  json?: unknown;
  /** Raw body size. */
  bytes: number;
}

/** A problem to answer instead of the normal response. */
export interface FakeProblem {
  status: number;
  code: string;
  detail: string;
}

/** A running fake API. */
export interface FakeApi {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  requests: RecordedRequest[];
  /** Uploaded archives by blob id. */
  uploads: Map<string, Buffer>;
  /** Applications by `namespace/name`. */
  apps: Map<string, App>;
  namespaces: Map<string, string>;
  /** Answer the next request matching `method` and `path` with this problem. */
  failNext(method: string, path: RegExp, problem: FakeProblem): void;
  /** Runs by id. */
  runs: Map<string, Run>;
  /** Make the next deployment run fail at the end of staging with this error. */
  failNextRun(error: { code: string; message: string }): void;
  /** Adds a line to an app's log and sends it to every follower. */
  appendLog(namespace: string, app: string, line: FakeLogLine): void;
  /** Ends every open `follow` log stream, as a server does when it shuts down. */
  endLogStreams(): void;
  /** How many `follow` log streams are open. */
  followers(): number;
  close(): Promise<void>;
}

/** A log line as the log routes send it. */
export interface FakeLogLine {
  time: string;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  source?: string;
}

/** The build output every fake stage prints. */
export const STAGE_LOG: readonly string[] = ['detecting: node', 'installing dependencies', 'build finished'];

/** An entry of a tar.gz as {@link readTarGz} returns it. */
export interface TarEntry {
  name: string;
  type: string;
  mode: number;
  linkname?: string;
  content: string;
}

/** Unpacks a tar.gz in memory (tests only: archives are small). */
export async function readTarGz(archive: Buffer): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const unpack = extract();
  unpack.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => { chunks.push(c as Buffer); });
    stream.on('end', () => {
      entries.push({ name: header.name, type: header.type, mode: header.mode, linkname: header.linkname || undefined, content: Buffer.concat(chunks).toString('utf8') });
      next();
    });
  });
  await pipeline(Readable.from([archive]), createGunzip(), unpack);
  return entries;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, p: FakeProblem, data?: Record<string, unknown>): void {
  if (p.status === 401) res.setHeader('www-authenticate', 'Basic realm="slipway"');
  send(res, p.status, { status: p.status, code: p.code, title: 'Error', detail: p.detail, data }, 'application/problem+json');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function userOf(req: IncomingMessage): { user: string; password: string } | undefined {
  const match = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

type Configuration = { instances?: number; environment?: Record<string, string>; routes?: string[]; builder?: string };

function applyUpdate(app: App, body: { configuration?: Configuration; origin?: Origin }): void {
  const c = body.configuration ?? {};
  if (c.instances !== undefined) app.spec.instances = c.instances;
  if (c.environment !== undefined) app.spec.env = c.environment;
  if (c.routes !== undefined) app.spec.routes = c.routes;
  if (c.builder !== undefined) app.spec.builder = c.builder;
  if (body.origin !== undefined) app.spec.origin = body.origin;
  app.metadata.generation += 1;
  app.metadata.resourceVersion = String(Number(app.metadata.resourceVersion) + 1);
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const users = options.users ?? { admin: 'admin-password' };
  const now = '2026-01-01T00:00:00.000Z';
  const namespaces = new Map<string, string>((options.namespaces ?? ['workspace']).map((n) => [n, now]));
  const apps = new Map<string, App>();
  const uploads = new Map<string, Buffer>();
  const requests: RecordedRequest[] = [];
  const failures: Array<{ method: string; path: RegExp; problem: FakeProblem }> = [];
  let blobs = 0;
  const runtime = createFakeRuntime(now, options.quickStages ?? false);
  const gitKeys = createFakeGitKeys(now);

  const server = createServer(async (req, res) => {
    const parsedUrl = new URL(req.url ?? '/', 'http://fake');
    const path = parsedUrl.pathname;
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    let json: unknown;
    if (contentType?.includes('json') && raw.length) json = JSON.parse(raw.toString('utf8'));
    const credentials = userOf(req);
    requests.push({ method, path, search: parsedUrl.search, user: credentials?.user, contentType, json, bytes: raw.length });

    if (!credentials || users[credentials.user] !== credentials.password) {
      return problem(res, { status: 401, code: 'unauthorized', detail: 'authentication required' });
    }
    const failure = failures.findIndex((f) => f.method === method && f.path.test(path));
    if (failure !== -1) return problem(res, failures.splice(failure, 1)[0]!.problem);

    if (method === 'GET' && path === '/api/v1/info') {
      return send(res, 200, { version: '0.0.0-fake', runtime: options.runtime ?? 'none', blobStore: 'filesystem', systemDomain: 'localhost', defaultNamespace: 'workspace' });
    }
    if (path === '/api/v1/namespaces') {
      if (method === 'GET') {
        return send(res, 200, [...namespaces].map(([name, createdAt]) => ({
          name, createdAt, apps: [...apps.values()].filter((a) => a.metadata.namespace === name).map((a) => a.metadata.name),
        })));
      }
      const name = (json as { name: string }).name;
      if (nameProblem(name)) return problem(res, { status: 400, code: 'invalid_name', detail: `invalid namespace name ${name}` });
      if (namespaces.has(name)) return problem(res, { status: 409, code: 'namespace_exists', detail: `namespace "${name}" already exists` });
      namespaces.set(name, now);
      return send(res, 201, { name, createdAt: now });
    }
    if (path.startsWith('/api/v1/git-keys') || path.startsWith('/api/v1/git-known-hosts')) return gitKeys.handle(res, method, path, json);
    const staging = /^\/api\/v1\/namespaces\/[^/]+\/staging\/([^/]+)\/logs$/.exec(path);
    if (staging && method === 'GET') return runtime.stagingLogs(res, decodeURIComponent(staging[1]!), parsedUrl.searchParams.get('follow') === 'true');
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/applications(?:\/([^/]+)(?:\/(store|import-git|deployments|releases|rollback|logs|restart)(?:\/([^/]+))?)?)?$/.exec(path);
    if (!match) return problem(res, { status: 404, code: 'route_not_found', detail: `no route for ${method} ${path}` });
    const ns = decodeURIComponent(match[1]!);
    const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const action = match[3];
    if (!namespaces.has(ns)) {
      return problem(res, { status: 404, code: 'namespace_not_found', detail: `namespace "${ns}" does not exist; list them with "slipway namespaces list" or create it` }, { namespace: ns });
    }
    if (name === undefined) {
      if (method === 'GET') return send(res, 200, [...apps.values()].filter((a) => a.metadata.namespace === ns));
      const body = json as { name: string; configuration?: Configuration; origin?: Origin };
      if (nameProblem(body.name)) return problem(res, { status: 400, code: 'invalid_name', detail: `invalid application name ${body.name}` });
      if (apps.has(`${ns}/${body.name}`)) {
        return problem(res, { status: 409, code: 'app_exists', detail: `application "${body.name}" already exists in namespace "${ns}"` });
      }
      const app: App = {
        metadata: { namespace: ns, name: body.name, resourceVersion: '1', generation: 0, createdAt: now },
        spec: { instances: 1, env: {}, routes: [] },
        status: {},
      };
      applyUpdate(app, body);
      apps.set(`${ns}/${body.name}`, app);
      return send(res, 201, app);
    }
    const app = apps.get(`${ns}/${name}`);
    if (!app) return problem(res, { status: 404, code: 'app_not_found', detail: `application "${name}" does not exist in namespace "${ns}"` });
    if (action === 'store' && method === 'POST') {
      const blobuid = `blob-${++blobs}`;
      uploads.set(blobuid, raw);
      app.status.source = { blobuid, format: 'tar.gz', size: raw.length, createdAt: now };
      return send(res, 200, { blobuid, format: 'tar.gz', size: raw.length });
    }
    if (action === 'import-git' && method === 'POST') {
      const body = json as { giturl: string; gitrev: string; subdir?: string };
      const revision = createHash('sha1').update(`${body.giturl}#${body.gitrev}`).digest('hex');
      const branch = body.gitrev === '' || /^[0-9a-f]{7,40}$/.test(body.gitrev) ? 'main' : body.gitrev;
      const blobuid = `blob-${++blobs}`;
      app.status.source = { blobuid, revision, branch, subdir: body.subdir, url: body.giturl, format: 'tar.gz', size: 0, createdAt: now };
      return send(res, 200, { blobuid, revision, branch });
    }
    if (action !== undefined) {
      const handled = runtime.handle({ method, action, id: match[4] && decodeURIComponent(match[4]), app, res, json, query: parsedUrl.searchParams });
      if (handled) return;
      return problem(res, { status: 404, code: 'route_not_found', detail: `no route for ${method} ${path}` });
    }
    if (method === 'GET') return send(res, 200, app);
    if (method === 'PATCH') {
      applyUpdate(app, json as { configuration?: Configuration; origin?: Origin });
      return send(res, 200, app);
    }
    if (method === 'DELETE') {
      apps.delete(`${ns}/${name}`);
      return send(res, 200, { deleted: name });
    }
    return problem(res, { status: 405, code: 'method_not_allowed', detail: `${method} not allowed` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    uploads,
    apps,
    namespaces,
    failNext: (method, path, p) => { failures.push({ method, path, problem: p }); },
    runs: runtime.runs,
    failNextRun: (error) => { runtime.nextFailure = error; },
    appendLog: (ns, name, line) => runtime.appendLog(`${ns}/${name}`, line),
    endLogStreams: () => runtime.endLogStreams(),
    followers: () => runtime.followers.size,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

interface RuntimeRequest {
  method: string;
  action: string;
  id: string | undefined;
  app: App;
  res: ServerResponse;
  json: unknown;
  query: URLSearchParams;
}

function ndjson(res: ServerResponse, lines: FakeLogLine[]): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const line of lines) res.write(`${JSON.stringify(line)}\n`);
}

/** The in-memory runtime half of the fake: runs, stages, releases and log streams. */
function createFakeRuntime(now: string, quickStages: boolean) {
  const runs = new Map<string, Run>();
  const owners = new Map<string, App>();
  const stages = new Map<string, { lines: FakeLogLine[]; ended: boolean; followers: Set<ServerResponse> }>();
  const appLogs = new Map<string, FakeLogLine[]>();
  const followers = new Set<{ key: string; res: ServerResponse }>();
  let count = 0;
  const keyOf = (app: App) => `${app.metadata.namespace}/${app.metadata.name}`;
  const state = {
    runs,
    followers,
    nextFailure: undefined as { code: string; message: string } | undefined,
    appendLog(key: string, line: FakeLogLine) {
      appLogs.set(key, [...(appLogs.get(key) ?? []), line]);
      for (const f of followers) if (f.key === key) f.res.write(`${JSON.stringify(line)}\n`);
    },
    endLogStreams() {
      for (const f of followers) f.res.end();
      followers.clear();
    },
    stagingLogs(res: ServerResponse, stageId: string, follow: boolean) {
      const stage = stages.get(stageId);
      if (!stage) return problem(res, { status: 404, code: 'stage_not_found', detail: `stage "${stageId}" does not exist` });
      ndjson(res, stage.lines);
      if (follow && !stage.ended) stage.followers.add(res);
      else res.end();
    },
    handle(r: RuntimeRequest): boolean {
      const { method, action, app, res } = r;
      const key = keyOf(app);
      if (action === 'deployments' && method === 'POST' && !r.id) {
        const body = (r.json ?? {}) as { blobuid?: string };
        const blobuid = body.blobuid ?? app.status.source?.blobuid;
        const run: Run = { id: `run-${++count}`, kind: 'deploy', phase: 'pending', blobuid, revision: app.status.source?.revision, branch: app.status.source?.branch, startedAt: now };
        if (state.nextFailure) Object.assign(run, { pendingError: state.nextFailure });
        state.nextFailure = undefined;
        return start(run, app, res);
      }
      if (action === 'deployments' && method === 'GET' && r.id) {
        const run = runs.get(r.id);
        if (!run || owners.get(r.id) !== app) {
          problem(res, { status: 404, code: 'run_not_found', detail: `deployment "${r.id}" does not exist` });
          return true;
        }
        advance(run, app);
        while (quickStages && (run.phase === 'pending' || run.phase === 'staging')) advance(run, app);
        send(res, 200, publicRun(run));
        return true;
      }
      if (action === 'releases' && method === 'GET') {
        const current = app.status.release?.number;
        send(res, 200, (app.status.releases ?? []).map((rel) => ({ ...rel, current: rel.number === current })));
        return true;
      }
      if (action === 'rollback' && method === 'POST') {
        const releases = app.status.releases ?? [];
        const wanted = (r.json as { release?: number } | undefined)?.release;
        const current = app.status.release?.number ?? 0;
        const target = wanted === undefined ? releases.find((rel) => rel.number < current) : releases.find((rel) => rel.number === wanted);
        if (!target) {
          problem(res, { status: 404, code: 'release_not_found', detail: wanted === undefined ? `application "${app.metadata.name}" has no earlier release` : `release ${wanted} of "${app.metadata.name}" does not exist` });
          return true;
        }
        const run: Run = { id: `run-${++count}`, kind: 'rollback', phase: 'pending', blobuid: target.blobuid, revision: target.revision, branch: target.branch, stageId: target.stageId, image: target.image, release: target.number, startedAt: now };
        return start(run, app, res);
      }
      if (action === 'logs' && method === 'GET') {
        const tail = Number(r.query.get('tail') ?? 100);
        const lines = appLogs.get(key) ?? [];
        ndjson(res, tail === 0 ? [] : lines.slice(-tail));
        if (r.query.get('follow') === 'true') followers.add({ key, res });
        else res.end();
        return true;
      }
      if (action === 'restart' && method === 'POST') {
        if (app.status.runtime) app.status.runtime.restarts += 1;
        send(res, 200, { restarted: app.metadata.name });
        return true;
      }
      return false;
    },
  };

  function start(run: Run, app: App, res: ServerResponse): true {
    runs.set(run.id, run);
    owners.set(run.id, app);
    app.status.run = publicRun(run);
    send(res, 202, { id: run.id, app: app.metadata.name, namespace: app.metadata.namespace });
    return true;
  }

  function publicRun(run: Run): Run {
    const { pendingError: _hidden, ...shown } = run as Run & { pendingError?: unknown };
    return structuredClone(shown);
  }

  function endStage(stageId: string | undefined): void {
    const stage = stageId === undefined ? undefined : stages.get(stageId);
    if (!stage) return;
    stage.ended = true;
    for (const res of stage.followers) res.end();
    stage.followers.clear();
  }

  /** One step per poll, see the file comment. */
  function advance(run: Run & { pendingError?: { code: string; message: string }; polls?: number }, app: App): void {
    run.polls = (run.polls ?? 0) + 1;
    const steps: RunPhase[] = run.kind === 'rollback' ? ['pending', 'deploying', 'succeeded'] : ['pending', 'staging', 'staging', 'deploying', 'succeeded'];
    const next = steps[Math.min(run.polls - 1, steps.length - 1)]!;
    if (next === run.phase || run.phase === 'failed' || run.phase === 'succeeded') return;
    if (run.phase === 'staging') {
      endStage(run.stageId);
      if (run.pendingError) {
        Object.assign(run, { phase: 'failed', error: run.pendingError, finishedAt: now });
        app.status.run = publicRun(run);
        return;
      }
      run.image = `image-${run.stageId}`;
    }
    run.phase = next;
    if (next === 'staging') {
      run.stageId = `stage-${run.id}`;
      const lines = STAGE_LOG.map((text) => ({ time: now, stream: 'stdout' as const, text, source: 'build' }));
      if (run.pendingError) lines.push({ time: now, stream: 'stdout' as const, text: 'npm ERR! missing script: start', source: 'build' });
      stages.set(run.stageId, { lines, ended: false, followers: new Set() });
    }
    if (next === 'succeeded') succeed(run, app);
    app.status.run = publicRun(run);
  }

  function succeed(run: Run, app: App): void {
    const name = app.metadata.name;
    const releases = app.status.releases ?? [];
    let release: Release;
    if (run.kind === 'rollback') {
      release = releases.find((rel) => rel.number === run.release)!;
    } else {
      release = { number: (releases[0]?.number ?? 0) + 1, stageId: run.stageId!, image: run.image!, blobuid: run.blobuid ?? '', revision: run.revision, branch: run.branch, createdAt: now, sizeBytes: 1536 * ((releases[0]?.number ?? 0) + 1) };
      app.status.releases = [release, ...releases].slice(0, 10);
      run.release = release.number;
    }
    Object.assign(run, { routes: [`${name}.localhost`], urls: [`http://${name}.localhost:8080/`], finishedAt: now });
    Object.assign(app.status, {
      release, routes: run.routes, urls: run.urls,
      runtime: { phase: 'running', desired: app.spec.instances, ready: app.spec.instances, restarts: 0 },
    });
  }

  return state;
}

/** What an in-process CLI run printed and returned. */
export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI's `main` in this process with captured streams (no child process), as
 * `slipway ...args` in `cwd` with exactly `env`.
 */
export async function runMain(args: string[], env: Record<string, string>, cwd: string, deps: { confirm?: (question: string) => Promise<boolean> } = {}): Promise<MainRun> {
  const { main } = await import('../../cli/main.ts');
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => { stdout += text; } },
    stderr: { write: (text: string) => { stderr += text; } },
    cwd,
    homedir: cwd,
  };
  // Ctrl-C is tested through the command functions' signals, not this process's SIGINT.
  const interrupt = () => ({ signal: new AbortController().signal, dispose: () => {} });
  const code = await main(['node', 'slipway', ...args], env, io, { interrupt, ...deps });
  return { code, stdout, stderr };
}

/** Fake `/api/v1/git-keys` and `/api/v1/git-known-hosts`: keys in memory; every host offers {@link FAKE_HOST_KEY}. */
export const FAKE_HOST_KEY = { key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', fingerprint: 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU' };

function createFakeGitKeys(now: string) {
  const keys: Record<string, unknown>[] = [];
  const hosts: { host: string; key: string; fingerprint: string; source: string }[] = [];
  const label = (host: string, port?: number) => (port && port !== 22 ? `[${host}]:${port}` : host);
  return {
    handle(res: ServerResponse, method: string, path: string, json: unknown) {
      const body = (json ?? {}) as { host?: string; name?: string; privateKey?: string; port?: number; key?: string };
      if (path === '/api/v1/git-keys' && method === 'GET') return send(res, 200, keys);
      if (path === '/api/v1/git-keys' && method === 'POST') {
        const name = body.name ?? body.host!.replace(/[^a-z0-9]+/g, '-');
        if (keys.some((k) => k.name === name)) return problem(res, { status: 409, code: 'git_key_exists', detail: `a deploy key named "${name}" exists already` });
        const key = { name, host: body.host, type: body.privateKey ? 'ssh-rsa' : 'ssh-ed25519', publicKey: `ssh-ed25519 AAAAfake slipway-${name}`, fingerprint: 'SHA256:fake', createdAt: now };
        keys.push(key);
        return send(res, 201, key);
      }
      const named = /^\/api\/v1\/git-keys\/([^/]+)$/.exec(path);
      if (named && method === 'DELETE') {
        const index = keys.findIndex((k) => k.name === decodeURIComponent(named[1]!));
        if (index === -1) return problem(res, { status: 404, code: 'git_key_not_found', detail: `no deploy key named "${decodeURIComponent(named[1]!)}"` });
        keys.splice(index, 1);
        return send(res, 200, { deleted: decodeURIComponent(named[1]!) });
      }
      if (path === '/api/v1/git-known-hosts' && method === 'GET') return send(res, 200, hosts);
      if (path === '/api/v1/git-known-hosts' && method === 'POST') {
        const host = label(body.host!, body.port);
        if (body.key === undefined) {
          const known = hosts.find((h) => h.host === host && h.key === FAKE_HOST_KEY.key);
          return send(res, 200, { host, ...FAKE_HOST_KEY, trusted: known !== undefined, ...(known ? { source: known.source } : {}) });
        }
        const entry = { host, key: body.key, fingerprint: body.key === FAKE_HOST_KEY.key ? FAKE_HOST_KEY.fingerprint : 'SHA256:other', source: 'trusted' };
        hosts.push(entry);
        return send(res, 201, entry);
      }
      return problem(res, { status: 404, code: 'route_not_found', detail: `no route for ${method} ${path}` });
    },
  };
}
