/**
 * The adversary's view of a real `slipway server` process (test/security/): a server on
 * a fresh data folder with an admin and a user limited to one namespace, plain HTTP
 * requests with BasicAuth, and small apps deployed through the API as a client would.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { hashPassword } from '../../controller/auth/password-hash.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import { makeTempDir } from './temp-dir.ts';
import { tgzOf, type EntrySpec } from './archives.ts';

/** Credentials of the rig's users. */
export const ADMIN = { username: 'admin', password: 'security-admin-password' };
export const DEV = { username: 'dev', password: 'security-dev-password' };

/** A running server with its data folder. */
export interface Rig {
  server: ServerProcess;
  dataDir: string;
  /** A request to the API (or any path) as `who` (default admin); `host` overrides the Host header. */
  request(method: string, path: string, body?: unknown, options?: { auth?: { username: string; password: string }; host?: string; headers?: Record<string, string>; raw?: Buffer }): Promise<Response>;
  /** Stops the server (`signal`, default SIGTERM) and starts it again on the same data folder. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  /** Creates `app` in `ns` as `who`, stores `files` and deploys them; resolves with the finished run. */
  deploy(ns: string, app: string, files: EntrySpec[], who?: { username: string; password: string }, configuration?: object): Promise<any>;
  close(): Promise<void>;
}

/** Starts a server process; `dev` may work only in `team-a`, which exists. */
export async function startRig(env: Record<string, string> = {}): Promise<Rig> {
  const data = await makeTempDir('slipway-security-');
  const usersFile = join(data.dir, 'users.json');
  await writeFile(usersFile, JSON.stringify({ users: [{ username: DEV.username, passwordHash: await hashPassword(DEV.password), namespaces: ['team-a'] }] }));
  const serverEnv = {
    SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: ADMIN.password, SLIPWAY_USERS_FILE: usersFile,
    SLIPWAY_READY_TIMEOUT_MS: '5000', SLIPWAY_STOP_GRACE_MS: '1000', ...env,
  };
  const rig: Rig = {
    server: await startServerProcess(serverEnv),
    async restart(signal) {
      await rig.server.stop(signal);
      rig.server = await startServerProcess(serverEnv);
    },
    dataDir: data.dir,
    async request(method, path, body, options = {}) {
      const who = options.auth ?? ADMIN;
      const headers: Record<string, string> = {
        authorization: `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      };
      const url = new URL(path, rig.server.url);
      headers.host = options.host ?? url.host;
      // node:http rather than fetch: the Host header must be the test's to choose.
      return new Promise<Response>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), {
            status: res.statusCode, headers: Object.entries(res.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : v === undefined ? [] : [[k, v]])) as [string, string][],
          })));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(options.raw ?? (body === undefined ? undefined : JSON.stringify(body)));
      });
    },
    async deploy(ns, app, files, who = ADMIN, configuration) {
      const base = `/api/v1/namespaces/${ns}/applications`;
      const created = await rig.request('POST', base, { name: app, ...(configuration ? { configuration } : {}) }, { auth: who });
      if (created.status !== 201) throw new Error(`create ${ns}/${app}: ${created.status} ${await created.text()}`);
      const stored = await rig.request('POST', `${base}/${app}/store`, undefined, { auth: who, raw: await tgzOf(files), headers: { 'content-type': 'application/gzip' } });
      if (stored.status !== 200 && stored.status !== 201) throw new Error(`store ${ns}/${app}: ${stored.status} ${await stored.text()}`);
      const started = await rig.request('POST', `${base}/${app}/deployments`, {}, { auth: who });
      if (started.status !== 202) throw new Error(`deploy ${ns}/${app}: ${started.status} ${await started.text()}`);
      const { id } = await started.json() as { id: string };
      const deadline = Date.now() + 60_000;
      for (;;) {
        const run = await (await rig.request('GET', `${base}/${app}/deployments/${id}`, undefined, { auth: who })).json() as any;
        if (run.phase === 'succeeded' || run.phase === 'failed') return run;
        if (Date.now() > deadline) throw new Error(`run of ${ns}/${app} still ${run.phase}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await rig.server.stop();
      await data.cleanup();
    },
  };
  const team = await rig.request('POST', '/api/v1/namespaces', { name: 'team-a' });
  if (team.status !== 201) throw new Error(`create team-a: ${team.status} ${await team.text()}`);
  return rig;
}

/** A static site answering `text` at `/`. */
export const staticSite = (text: string): EntrySpec[] => [{ name: 'index.html', content: `<!doctype html><p>${text}</p>\n` }];

/** A Node.js app that answers every request with the request's headers as JSON (what a route thief would run). */
export const headerEcho: EntrySpec[] = [
  { name: 'package.json', content: JSON.stringify({ name: 'echo', version: '1.0.0', scripts: { start: 'node server.js' } }) },
  { name: 'server.js', content: "require('node:http').createServer((req, res) => res.end(JSON.stringify({ stolen: req.headers }))).listen(process.env.PORT);\n" },
];
