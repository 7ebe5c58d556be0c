/**
 * Replays `epinio push` as Epinio's CLI sends it (epinio/epinio v1.13.10 and v1.14.1,
 * `internal/cli/usercmd/push.go` and `pkg/api/core/v1/client`): JSON bodies with no
 * Content-Type, the create → 409 → PATCH dance, a plain tar in a multipart form, a
 * form-encoded import-git, then v1.14's deployments + polling or v1.13's stage →
 * complete → deploy — against a real server on the local runtime, checking every
 * field the CLI reads.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { pack } from 'tar-stream';
import { startTestServer, basic, ADMIN_PASSWORD, type TestServer } from '../../helpers/test-server.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startGitServer, type GitServer } from '../../helpers/git-server.ts';
import { getApp } from '../../helpers/app-request.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../../helpers/git-repo.ts';

let server: TestServer;
let gitServer: GitServer;
let repo: WorkRepo;
const cleanups: (() => Promise<unknown>)[] = [];

const HELLO = 'require("http").createServer((q, s) => s.end("hello from epinio push")).listen(process.env.PORT)\n';
const PACKAGE = '{"name":"hello","private":true,"scripts":{"start":"node server.js"}}\n';

test.before(async () => {
  server = await startTestServer({ SLIPWAY_RUNTIME: 'local', SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1', SLIPWAY_READY_TIMEOUT_MS: '8000', SLIPWAY_STOP_GRACE_MS: '1000' });
  const repos = await makeTempDir('slipway-epinio-repos-');
  cleanups.push(repos.cleanup);
  await createBareRepo(repos.dir, 'hello');
  gitServer = await startGitServer({ root: repos.dir });
  repo = await createWorkRepo();
  await repo.write({ 'server.js': HELLO, 'package.json': PACKAGE });
  await repo.commit('hello');
  await repo.push(`${gitServer.url}/hello.git`);
});
test.after.always(async () => {
  await server?.close();
  await gitServer?.close();
  await repo?.cleanup();
  await Promise.all(cleanups.map((c) => c()));
});

const AUTH = basic('admin', ADMIN_PASSWORD);

/** A request as Go's `http.NewRequest` with a JSON body makes it: no Content-Type. */
async function epinio(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  // A byte body, because fetch gives a string body a text/plain type.
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const response = await fetch(`${server.url}/api/v1/${path}`, { method, headers: { authorization: AUTH }, body: payload });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** Epinio's source tarball (`helpers.Tar`): files and symlinks only, no directory entries, no `./`. */
async function epinioTar(files: Record<string, string>, links: Record<string, string> = {}): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => tar.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) tar.entry({ name, mode: 0o644 }, content);
  for (const [name, target] of Object.entries(links)) tar.entry({ name, type: 'symlink', linkname: target });
  tar.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** The body Go's `multipart.Writer` makes for `CreateFormFile("file", "blob.tar")`. */
function goMultipart(file: Buffer): { body: Buffer; type: string } {
  const boundary = randomBytes(30).toString('hex');
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob.tar"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

/** The update body the CLI sends when the user gave no settings. */
const NO_SETTINGS = { instances: null, configurations: null, environment: null, routes: null };

/** Steps 1-2 of a push: create (or 409 then PATCH), then validate-cv. */
async function createOrUpdate(t: any, name: string): Promise<void> {
  const created = await epinio('POST', 'namespaces/workspace/applications', { name, configuration: NO_SETTINGS });
  if (created.status === 409) {
    t.is(created.json.errors[0].status, 409);
    t.truthy(created.json.errors[0].title);
    const updated = await epinio('PATCH', `namespaces/workspace/applications/${name}`, { restart: false, ...NO_SETTINGS });
    t.is(updated.status, 200, JSON.stringify(updated.json));
    t.deepEqual(updated.json, { status: 'ok' });
  } else {
    t.is(created.status, 201, JSON.stringify(created.json));
    t.deepEqual(created.json, { status: 'ok' });
  }
  const cv = await epinio('GET', `namespaces/workspace/applications/${name}/validate-cv`);
  t.is(cv.status, 200);
  t.deepEqual(cv.json, { status: 'ok' });
}

async function uploadDirectory(t: any, name: string): Promise<string> {
  const tar = await epinioTar({ 'server.js': HELLO, 'package.json': PACKAGE, 'lib/util.js': 'module.exports = 1;\n' }, { 'util.js': 'lib/util.js' });
  const form = goMultipart(tar);
  const response = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/${name}/store`, { method: 'POST', headers: { authorization: AUTH, 'content-type': form.type }, body: form.body });
  const json = await response.json() as { blobuid: string };
  t.is(response.status, 200, JSON.stringify(json));
  t.regex(json.blobuid, /^[0-9a-f-]{36}$/);
  return json.blobuid;
}

async function importGit(t: any, name: string, v113: boolean): Promise<{ blobuid: string; revision: string; branch: string }> {
  const form = new URLSearchParams(v113 ? { giturl: `${gitServer.url}/hello.git`, gitrev: 'main' } : { gitconfig: '', giturl: `${gitServer.url}/hello.git`, gitrev: 'main' });
  const response = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/${name}/import-git`, {
    method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(),
  });
  const json = await response.json() as { blobuid: string; revision: string; branch: string };
  t.is(response.status, 200, JSON.stringify(json));
  t.truthy(json.blobuid);
  t.regex(json.revision, /^[0-9a-f]{40}$/);
  t.is(json.branch, 'main');
  return json;
}

/** v1.14: deployments, then poll until succeeded or failed, as `waitAsyncDeployment` does. */
async function deployV114(t: any, name: string, blobuid: string, origin: unknown): Promise<string[]> {
  const app = { name, namespace: 'workspace', createdAt: null };
  const started = await epinio('POST', `namespaces/workspace/applications/${name}/deployments`, { app, blobuid, origin });
  t.is(started.status, 202, JSON.stringify(started.json));
  t.truthy(started.json.id);
  t.is(started.headers.get('location'), `/api/v1/namespaces/workspace/applications/${name}/deployments/${started.json.id}`);
  t.deepEqual(started.json.app, { name, namespace: 'workspace' });
  t.true(['pending', 'staging', 'deploying', 'succeeded'].includes(started.json.status));
  const deadline = Date.now() + 60_000;
  const seen = new Set<string>();
  for (;;) {
    const status = await epinio('GET', `namespaces/workspace/applications/${name}/deployments/${started.json.id}`);
    t.is(status.status, 200);
    seen.add(status.json.status);
    t.true(['pending', 'staging', 'deploying', 'succeeded', 'failed'].includes(status.json.status), status.json.status);
    if (status.json.status === 'failed') t.fail(`deployment failed: ${status.json.error}`);
    if (status.json.status === 'succeeded') {
      t.is(status.json.id, started.json.id);
      t.truthy(status.json.stage_id);
      t.truthy(status.json.image);
      t.truthy(status.json.startedAt);
      t.truthy(status.json.finishedAt);
      t.deepEqual(status.json.app, { name, namespace: 'workspace' });
      return status.json.routes;
    }
    if (Date.now() > deadline) t.fail(`still ${status.json.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** v1.13: stage (blocks until built), staging complete, deploy. */
async function deployV113(t: any, name: string, blobuid: string, origin: unknown): Promise<string[]> {
  const app = { name, namespace: 'workspace', createdAt: null };
  const staged = await epinio('POST', `namespaces/workspace/applications/${name}/stage`, { app, blobuid });
  t.is(staged.status, 200, JSON.stringify(staged.json));
  t.truthy(staged.json.stage.id);
  t.truthy(staged.json.image);
  const complete = await epinio('GET', `namespaces/workspace/staging/${staged.json.stage.id}/complete`);
  t.is(complete.status, 200, JSON.stringify(complete.json));
  t.is(complete.json.status, 'ok');
  const deployed = await epinio('POST', `namespaces/workspace/applications/${name}/deploy`, { app, stage: { id: staged.json.stage.id }, image: staged.json.image, origin });
  t.is(deployed.status, 200, JSON.stringify(deployed.json));
  return deployed.json.routes;
}

/** The app answers on the route the CLI prints (as `https://<route>`; the local runtime serves it over http). */
async function assertServes(t: any, routes: string[]): Promise<void> {
  t.true(Array.isArray(routes) && routes.length > 0, JSON.stringify(routes));
  const [host, ...path] = routes[0]!.split('/');
  const response = await getApp(`http://${host}:${new URL(server.url).port}/${path.join('/')}`);
  t.is(response.body, 'hello from epinio push');
}

test.serial('v1.14 directory push: create, upload a plain tar as multipart, deployments, poll', async (t) => {
  await createOrUpdate(t, 'dir14');
  const blobuid = await uploadDirectory(t, 'dir14');
  await assertServes(t, await deployV114(t, 'dir14', blobuid, { Kind: 1, path: '/home/me/dir14' }));
  // A second push of the same app: 409, then PATCH with nulls.
  await createOrUpdate(t, 'dir14');
  await assertServes(t, await deployV114(t, 'dir14', await uploadDirectory(t, 'dir14'), { Kind: 1, path: '/home/me/dir14' }));
});

test.serial('v1.14 git push: import-git form with an empty gitconfig, deployments with a Kind 2 origin', async (t) => {
  await createOrUpdate(t, 'git14');
  const imported = await importGit(t, 'git14', false);
  const origin = { Kind: 2, git: { revision: imported.revision, repository: `${gitServer.url}/hello.git`, branch: imported.branch } };
  await assertServes(t, await deployV114(t, 'git14', imported.blobuid, origin));
});

test.serial('v1.13 directory push: stage, staging complete, deploy', async (t) => {
  await createOrUpdate(t, 'dir13');
  await assertServes(t, await deployV113(t, 'dir13', await uploadDirectory(t, 'dir13'), { Kind: 1, path: '/home/me/dir13' }));
});

test.serial('v1.13 git push: import-git form without gitconfig, stage, complete, deploy', async (t) => {
  await createOrUpdate(t, 'git13');
  const imported = await importGit(t, 'git13', true);
  const origin = { Kind: 2, git: { revision: imported.revision, repository: `${gitServer.url}/hello.git`, branch: imported.branch } };
  await assertServes(t, await deployV113(t, 'git13', imported.blobuid, origin));
});

test.serial('login and session: namespace show, me, authtoken, epinio-version, errors array, bearer refused', async (t) => {
  const ns = await epinio('GET', 'namespaces/workspace');
  t.is(ns.status, 200);
  t.is(ns.json.meta.name, 'workspace');
  t.truthy(ns.headers.get('epinio-version'));
  const me = await epinio('GET', 'me');
  t.is(me.json.user, 'admin');
  t.is(me.json.roles[0].id, 'admin');
  t.true(me.json.namespaces.includes('workspace'));
  const token = await epinio('GET', 'authtoken');
  t.truthy(token.json.token);
  const missing = await epinio('GET', 'namespaces/workspace/applications/nope');
  t.is(missing.status, 404);
  t.is(missing.json.code, 'app_not_found');
  t.deepEqual(missing.json.errors, [{ status: 404, title: missing.json.detail, details: 'app_not_found' }]);
  const bearer = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: 'Bearer abc.def' } });
  const body = await bearer.json() as { errors: { title: string }[] };
  t.is(bearer.status, 401);
  t.regex(body.errors[0]!.title, /bearer tokens .* not supported/);
});

/**
 * A request as Epinio's Go client sends it: Go's default User-Agent, no Accept, a JSON
 * body without Content-Type, `Accept-Encoding: gzip` (Go's transport adds it).
 */
function goRequest(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(`${server.url}/api/v1/${path}`, {
      method,
      headers: { 'user-agent': 'Go-http-client/1.1', authorization: AUTH, 'accept-encoding': 'gzip', ...(payload ? { 'content-length': payload.length } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test.serial('epinio app list, show and delete: Epinio\'s App shape for its Go client, Slipway\'s for everyone else', async (t) => {
  const list = await goRequest('GET', 'namespaces/workspace/applications');
  t.is(list.status, 200);
  const dir14 = list.json.find((a: any) => a.meta.name === 'dir14');
  t.like(dir14, {
    meta: { name: 'dir14', namespace: 'workspace' },
    configuration: { instances: 1, configurations: [] },
    origin: { Kind: 1 },
    status: 'running',
    stagingstatus: 'done',
    deployment: { name: 'dir14', active: true, desiredreplicas: 1, readyreplicas: 1, status: '1/1' },
  });
  t.truthy(dir14.meta.createdAt);
  t.truthy(dir14.stage_id);
  t.truthy(dir14.image_url);
  t.is(dir14.deployment.stage_id, dir14.stage_id);
  t.true(dir14.deployment.routes.length > 0);
  t.true(!Number.isNaN(Date.parse(dir14.deployment.createdAt)), 'RFC 3339, as the CLI parses it');
  const git14 = await goRequest('GET', 'namespaces/workspace/applications/git14');
  t.like(git14.json, { meta: { name: 'git14' }, status: 'running', origin: { Kind: 2, git: { repository: `${gitServer.url}/hello.git` } } });

  // Slipway's clients (an Accept header, any User-Agent) keep Slipway's App.
  const slipway = await (await server.request('GET', '/api/v1/namespaces/workspace/applications/dir14')).json() as any;
  t.is(typeof slipway.status, 'object');
  t.is(slipway.metadata.name, 'dir14');
  const goWithAccept = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/dir14`, { headers: { authorization: AUTH, 'user-agent': 'Go-http-client/1.1', accept: 'application/json' } });
  t.is(typeof (await goWithAccept.json() as any).status, 'object');

  // `epinio app list --all`: every namespace the user may access.
  const all = await goRequest('GET', 'applications');
  t.is(all.status, 200);
  t.true(all.json.some((a: any) => a.meta.name === 'dir14' && a.meta.namespace === 'workspace' && a.status === 'running'));

  const matches = await goRequest('GET', 'namespaces/workspace/appsmatches/dir');
  t.deepEqual(matches.json.names.sort(), ['dir13', 'dir14']);
  t.true((await goRequest('GET', 'namespaces/workspace/appsmatches')).json.names.includes('git14'));

  // A misspelt name deletes nothing.
  const refused = await goRequest('DELETE', 'namespaces/workspace/applications?applications%5B%5D=dir13&applications%5B%5D=nosuch', { deleteImage: false });
  t.is(refused.status, 404);
  t.is(refused.json.errors[0].status, 404);
  t.is((await goRequest('GET', 'namespaces/workspace/applications/dir13')).status, 200);
  const deleted = await goRequest('DELETE', 'namespaces/workspace/applications?applications%5B%5D=dir13&applications%5B%5D=git13', { deleteImage: false });
  t.is(deleted.status, 200, JSON.stringify(deleted.json));
  t.deepEqual(deleted.json, { unboundconfigurations: [] });
  t.is((await goRequest('GET', 'namespaces/workspace/applications/dir13')).status, 404);
  t.is((await goRequest('GET', 'namespaces/workspace/applications/git13')).status, 404);
  t.is((await goRequest('GET', 'namespaces/workspace/applications/dir14')).status, 200);
});
