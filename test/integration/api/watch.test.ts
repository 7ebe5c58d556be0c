import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { startGitServer, type GitServer } from '../../helpers/git-server.ts';
import { createBareRepo, createWorkRepo, type WorkRepo } from '../../helpers/git-repo.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

let server: TestServer;
let git: GitServer;
let repo: WorkRepo;
let url: string;
let sha: string;
const cleanups: (() => Promise<unknown>)[] = [];
const base = '/api/v1/namespaces/workspace/applications';

test.before(async () => {
  const root = await makeTempDir('slipway-watch-repos-');
  cleanups.push(root.cleanup);
  await createBareRepo(root.dir, 'app');
  git = await startGitServer({ root: root.dir });
  repo = await createWorkRepo();
  await repo.write({ 'index.html': 'hi' });
  sha = await repo.commit('one');
  await repo.tag('v1');
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

const create = (name: string, origin: object) => server.request('POST', base, { name, origin });

test('watching a branch is turned on and off, with its interval', async (t) => {
  t.is((await create('follow', { kind: 'git', url, revision: 'main' })).status, 201);
  const on = await server.request('POST', `${base}/follow/watch`, { watch: true, interval: '30s' });
  t.is(on.status, 200);
  t.like((await on.json() as any).spec.origin, { kind: 'git', watch: true, interval: '30s', branch: 'main' });
  const off = await server.request('POST', `${base}/follow/watch`, { watch: false });
  t.like((await off.json() as any).spec.origin, { watch: false, interval: '30s' });
});

test('an interval shorter than the server\'s minimum is refused, not silently raised', async (t) => {
  t.is((await create('eager', { kind: 'git', url, revision: 'main' })).status, 201);
  const tooOften = await server.request('POST', `${base}/eager/watch`, { watch: true, interval: '5s' });
  t.is(tooOften.status, 400);
  const problem = await tooOften.json() as { code: string; detail: string };
  t.is(problem.code, 'invalid_request');
  t.regex(problem.detail, /interval "5s" is shorter than this server's minimum of 10s \(SLIPWAY_WATCH_MIN_INTERVAL_MS\)/);
  const created = await create('eager2', { kind: 'git', url, revision: 'main', watch: true, interval: '9s' });
  t.is(created.status, 400);
  t.is((await server.request('POST', `${base}/eager/watch`, { watch: true, interval: '10s' })).status, 200);
});

const refused = test.macro({
  async exec(t, revision: string) {
    const name = `pinned-${revision.toLowerCase()}`;
    const response = await create(name, { kind: 'git', url, revision, watch: true });
    t.is(response.status, 422);
    const problem = await response.json() as { code: string; detail: string };
    t.is(problem.code, 'watch_needs_branch');
    t.regex(problem.detail, /never moves; watch a branch/);
    t.is((await server.request('GET', `${base}/${name}`)).status, 404, 'nothing was created');
  },
  title: (title = '') => `watching is refused for ${title}`,
});
test('a tag', refused, 'v1');
test('a commit', async (t) => {
  const response = await create('pinned-sha', { kind: 'git', url, revision: sha, watch: true });
  t.is(response.status, 422);
  t.is((await response.json() as { code: string }).code, 'watch_needs_branch');
});

test('an app not from git cannot be watched', async (t) => {
  await create('dir-app', { kind: 'path' });
  const response = await server.request('POST', `${base}/dir-app/watch`, { watch: true });
  t.is(response.status, 409);
  t.is((await response.json() as { code: string }).code, 'not_git');
});

test('the webhook route gives URLs, a stable secret and instructions; the app never shows the secret', async (t) => {
  await create('hooked', { kind: 'git', url, revision: 'main', watch: true });
  const first = await (await server.request('GET', `${base}/hooked/webhook`)).json() as any;
  t.is(first.urls.github, `${server.url}/webhooks/github`);
  t.regex(first.secret, /^[0-9a-f]{64}$/);
  t.regex(first.instructions.github, /application\/json/);
  const second = await (await server.request('GET', `${base}/hooked/webhook`)).json() as any;
  t.is(second.secret, first.secret);
  const app = await (await server.request('GET', `${base}/hooked`)).text();
  t.false(app.includes(first.secret));
});
