/**
 * The previews routes (issue 15) against a real server: on and off for a watched app,
 * the refusals that say what to do, the default limit, and turning previews off
 * deleting the open previews (and deleting the parent deleting them too).
 */
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { startGitServer, type GitServer } from '../../helpers/git-server.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../../helpers/git-repo.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { join } from 'node:path';
import { createFileStateStore } from '../../../controller/adapters/state/file-state-store.ts';
import { systemClock } from '../../../core/ports/clock.ts';

let server: TestServer;
let git: GitServer;
let repo: WorkRepo;
let url: string;
const cleanups: (() => Promise<unknown>)[] = [];
const base = '/api/v1/namespaces/workspace/applications';

test.before(async () => {
  const root = await makeTempDir('slipway-previews-api-');
  cleanups.push(root.cleanup);
  await createBareRepo(root.dir, 'app');
  git = await startGitServer({ root: root.dir });
  repo = await createWorkRepo();
  await repo.write({ 'index.html': 'hi' });
  await repo.commit('one');
  await repo.push(`${git.url}/app.git`);
  url = `${git.url}/app.git`;
  server = await startTestServer({ SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1' });
});
test.after.always(async () => {
  await server?.close();
  await git?.close();
  await repo?.cleanup();
  await Promise.all(cleanups.map((c) => c()));
});

const create = (name: string, origin?: object, spec: object = {}) => server.request('POST', base, { name, ...(origin ? { origin } : {}), ...spec });
const previews = (name: string, body: object) => server.request('POST', `${base}/${name}/previews`, body);

test('previews go on for a watched app, with the default limit, and say so in the spec and the webhook steps', async (t) => {
  t.is((await create('web', { kind: 'git', url, revision: 'main', watch: true })).status, 201);
  const on = await previews('web', { enabled: true });
  t.is(on.status, 200);
  t.deepEqual(await on.json(), { app: 'web', previews: { enabled: true, max: 5, allowForks: false }, removed: [] });
  const app = await (await server.request('GET', `${base}/web`)).json() as any;
  t.deepEqual(app.spec.origin.previews, { enabled: true });
  const hook = await (await server.request('GET', `${base}/web/webhook`)).json() as any;
  t.deepEqual(hook.events, ['push', 'pull_request']);
  const listed = await (await server.request('GET', `${base}/web/previews`)).json();
  t.deepEqual(listed, { app: 'web', previews: { enabled: true, max: 5, allowForks: false }, items: [] });
  const tuned = await (await previews('web', { enabled: true, max: 2, allowForks: true })).json() as any;
  t.deepEqual(tuned.previews, { enabled: true, max: 2, allowForks: true });
  // A push sends the origin without previews: they stay as they were.
  const pushed = await server.request('PATCH', `${base}/web`, { origin: { kind: 'git', url, revision: 'main', watch: true } });
  t.is(pushed.status, 200);
  t.deepEqual((await pushed.json() as any).spec.origin.previews, { enabled: true, max: 2, allowForks: true });
});

test('previews are refused for an app that is not watched or not from git, and for a bad limit', async (t) => {
  t.is((await create('unwatched', { kind: 'git', url, revision: 'main' })).status, 201);
  const unwatched = await previews('unwatched', { enabled: true });
  t.is(unwatched.status, 409);
  t.like(await unwatched.json(), { code: 'previews_need_watch' });
  t.is((await create('pushed')).status, 201);
  t.like(await (await previews('pushed', { enabled: true })).json(), { code: 'not_git' });
  t.is((await previews('unwatched', { enabled: true, max: 0 })).status, 400);
  t.is((await previews('unwatched', { enabled: true, max: 51 })).status, 400);
  t.is((await previews('unwatched', { on: true })).status, 400);
});

/** Marks an app as a preview of `site` in the server's state files (what a preview check writes; the file store keeps nothing in memory). */
async function markPreview(name: string, number: number): Promise<void> {
  const store = createFileStateStore({ dir: join(server.dataDir, 'state'), clock: systemClock });
  await store.updateApp('workspace', name, (a) => ({ ...a, spec: { ...a.spec, preview: { parent: 'site', number, ref: `refs/pull/${number}/head` } } }));
}

test('turning previews off deletes the open previews; a preview cannot have previews; deleting the parent deletes them too', async (t) => {
  t.is((await create('site', { kind: 'git', url, revision: 'main', watch: true })).status, 201);
  t.is((await previews('site', { enabled: true })).status, 200);
  // Previews as the checks create them (the e2e tests drive them with deliveries).
  const asPreview = (number: number) => ({ kind: 'git', url, revision: `refs/pull/${number}/head` });
  for (const number of [1, 2]) {
    t.is((await create(`site-pr-${number}`, asPreview(number))).status, 201);
    await markPreview(`site-pr-${number}`, number);
  }
  const names = async () => ((await (await server.request('GET', base)).json()) as any[]).map((a) => a.metadata.name).filter((n: string) => n.startsWith('site'));
  t.deepEqual(await names(), ['site', 'site-pr-1', 'site-pr-2'], 'grouped under their parent');
  const off = await (await previews('site', { enabled: false })).json() as any;
  t.deepEqual(off.removed, ['site-pr-1', 'site-pr-2']);
  t.deepEqual(await names(), ['site']);

  t.is((await previews('site', { enabled: true })).status, 200);
  t.is((await create('site-pr-3', asPreview(3))).status, 201);
  await markPreview('site-pr-3', 3);
  t.like(await (await previews('site-pr-3', { enabled: true })).json(), { code: 'preview_of_preview' });
  t.is((await server.request('DELETE', `${base}/site`)).status, 200);
  t.deepEqual(await names(), []);
});
