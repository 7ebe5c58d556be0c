/**
 * What `GET …/applications` lists (issue 12, ADR 0007): each app's summary — the latest
 * run, the serving release and when it last deployed, not the run and release
 * histories — previews still under their parent; `?history=full` and the app's own GET
 * give the whole App.
 */
import test from 'ava';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { createFakeRuntime } from '../../helpers/fake-runtime.ts';
import { goodTree, tgzOf } from '../../helpers/archives.ts';
import { createFileStateStore } from '../../../controller/adapters/state/file-state-store.ts';
import { systemClock } from '../../../core/ports/clock.ts';

const base = '/api/v1/namespaces/workspace/applications';
let server: TestServer;

async function deploy(app: string): Promise<void> {
  const response = await server.request('POST', `${base}/${app}/deployments`, {});
  const { id } = await response.json() as { id: string };
  for (const deadline = Date.now() + 10_000; ;) {
    const run = await (await server.request('GET', `${base}/${app}/deployments/${id}`)).json() as { phase: string };
    if (run.phase === 'succeeded') return;
    if (run.phase === 'failed' || Date.now() > deadline) throw new Error(`run ${id} ${run.phase}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test.before(async () => {
  server = await startTestServer({}, { runtime: createFakeRuntime() });
  await server.request('POST', base, { name: 'site' });
  await server.request('POST', `${base}/site/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  await deploy('site');
  await deploy('site');
  // A preview of site whose name sorts before it, marked as a preview check would mark it.
  await server.request('POST', base, { name: 'preview-1' });
  const store = createFileStateStore({ dir: join(server.dataDir, 'state'), clock: systemClock });
  await store.updateApp('workspace', 'preview-1', (a) => ({ ...a, spec: { ...a.spec, preview: { parent: 'site', number: 1, ref: 'refs/pull/1/head' } } }));
  await server.request('POST', base, { name: 'fresh' });
});
test.after.always(() => server?.close());

const get = async (path: string) => {
  const response = await server.request('GET', path);
  return { status: response.status, body: await response.json() as any };
};

test('list items are summaries: the latest run, the serving release, when it last deployed; no histories', async (t) => {
  const whole = (await get(`${base}/site`)).body;
  t.is(whole.status.runs.length, 2, 'the app itself keeps its runs');
  t.is(whole.status.releases.length, 2);
  const { status, body } = await get(base);
  t.is(status, 200);
  t.deepEqual(body.map((a: any) => a.metadata.name), ['fresh', 'site', 'preview-1'], 'previews still follow their parent');
  const site = body[1];
  t.false('runs' in site.status);
  t.false('releases' in site.status);
  t.deepEqual(site.status.run, whole.status.run);
  t.deepEqual(site.status.release, whole.status.release);
  t.deepEqual(site.spec, whole.spec);
  t.deepEqual(site.status.urls, whole.status.urls);
  t.is(site.status.runtime.phase, 'running');
  t.is(site.status.lastDeployedAt, whole.status.runs.find((r: any) => r.phase === 'succeeded').finishedAt);
  const { runs: _runs, releases: _releases, previews: _previews, ...rest } = whole.status;
  t.deepEqual(site.status, { ...rest, lastDeployedAt: site.status.lastDeployedAt }, 'nothing else is left out');
  t.deepEqual(body[0].status, {}, 'an app never deployed');
});

test('?history=full lists the whole Apps with their runs and releases', async (t) => {
  const { status, body } = await get(`${base}?history=full`);
  t.is(status, 200);
  t.deepEqual(body.map((a: any) => a.metadata.name), ['fresh', 'site', 'preview-1']);
  t.is(body[1].status.runs.length, 2);
  t.is(body[1].status.releases.length, 2);
  t.false('lastDeployedAt' in body[1].status);
  t.deepEqual(body[1].status.runs, (await get(`${base}/site`)).body.status.runs);
});

test('the listing of every namespace shows summaries too, and history says what it may be', async (t) => {
  const all = (await get('/api/v1/applications')).body;
  const site = all.find((a: any) => a.metadata.name === 'site');
  t.false('runs' in site.status);
  t.truthy(site.status.lastDeployedAt);
  const full = (await get('/api/v1/applications?history=full')).body;
  t.is(full.find((a: any) => a.metadata.name === 'site').status.runs.length, 2);
  const bad = await get(`${base}?history=all`);
  t.is(bad.status, 400);
  t.like(bad.body, { code: 'invalid_request' });
  t.regex(bad.body.detail, /summary.*full/);
});
