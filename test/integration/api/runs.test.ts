/**
 * The runtime-agnostic pipeline through the API, on a fake runtime: runs, releases,
 * rollback, failures that keep the serving release, coalescing, restart recovery.
 */
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { createFakeRuntime } from '../../helpers/fake-runtime.ts';
import { goodTree, tgzOf } from '../../helpers/archives.ts';

const base = '/api/v1/namespaces/workspace/applications';

async function withServer(t: { teardown(fn: () => Promise<void>): void }, runtime = createFakeRuntime(), env: Record<string, string> = {}) {
  const server = await startTestServer(env, { runtime });
  t.teardown(() => server.close());
  return { server, runtime };
}

async function pushSource(server: TestServer, app: string): Promise<string> {
  await server.request('POST', base, { name: app });
  const stored = await server.request('POST', `${base}/${app}/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  return (await stored.json() as { blobuid: string }).blobuid;
}

async function waitRun(server: TestServer, app: string, id: string): Promise<any> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const run = await (await server.request('GET', `${base}/${app}/deployments/${id}`)).json() as any;
    if (run.phase === 'succeeded' || run.phase === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.phase}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function deploy(server: TestServer, app: string, body: object = {}): Promise<any> {
  const response = await server.request('POST', `${base}/${app}/deployments`, body);
  if (response.status !== 202) throw new Error(`deployments: ${response.status} ${await response.text()}`);
  return waitRun(server, app, (await response.json() as { id: string }).id);
}

test('a deployment stages and deploys, and records release 1 with the default route', async (t) => {
  const { server, runtime } = await withServer(t);
  const blobuid = await pushSource(server, 'web');
  const run = await deploy(server, 'web');
  t.like(run, { phase: 'succeeded', kind: 'deploy', blobuid, release: 1, routes: ['web.localhost'] });
  t.is(runtime.staged.length, 1);
  t.like(runtime.deployed[0], { app: 'web', routes: ['web.localhost'], instances: 1 });
  const app = await (await server.request('GET', `${base}/web`)).json() as any;
  t.like(app.status, { release: { number: 1, blobuid }, routes: ['web.localhost'], runtime: { phase: 'running', ready: 1 } });
  const releases = await (await server.request('GET', `${base}/web/releases`)).json() as any[];
  t.deepEqual(releases.map((r) => [r.number, r.current]), [[1, true]]);
});

test("a stage gets the serving release's image as its previous image (layer reuse)", async (t) => {
  const { server, runtime } = await withServer(t);
  await pushSource(server, 'web');
  const first = await deploy(server, 'web');
  t.is(runtime.staged[0]!.previousImage, undefined, 'nothing serves before the first release');
  await deploy(server, 'web');
  t.is(runtime.staged[1]!.previousImage, `fake/workspace-web:${first.stageId}`);
});

test('a release records the size the runtime reports, and a rollback keeps it', async (t) => {
  const { server, runtime } = await withServer(t);
  await pushSource(server, 'web');
  runtime.sizeBytes = 4096;
  await deploy(server, 'web');
  runtime.sizeBytes = undefined;
  await deploy(server, 'web');
  const sizes = async () => ((await (await server.request('GET', `${base}/web/releases`)).json()) as any[]).map((r) => [r.number, r.sizeBytes]);
  t.deepEqual(await sizes(), [[2, undefined], [1, 4096]]);
  const response = await server.request('POST', `${base}/web/rollback`, {});
  await waitRun(server, 'web', (await response.json() as { id: string }).id);
  t.deepEqual(await sizes(), [[2, undefined], [1, 4096]]);
});

test('staging logs and completion are readable by stage id', async (t) => {
  const { server } = await withServer(t);
  await pushSource(server, 'web');
  const run = await deploy(server, 'web');
  const logs = await (await server.request('GET', `/api/v1/namespaces/workspace/staging/${run.stageId}/logs`)).text();
  t.regex(logs, /"text":"build done"/);
  t.is(logs.trim().split('\n').length, 2);
  const complete = await (await server.request('GET', `/api/v1/namespaces/workspace/staging/${run.stageId}/complete`)).json();
  t.like(complete, { stage: { id: run.stageId }, phase: 'succeeded' });
  t.is((await server.request('GET', '/api/v1/namespaces/workspace/staging/nope/complete')).status, 404);
});

test('rollback redeploys the previous release without rebuilding', async (t) => {
  const { server, runtime } = await withServer(t);
  await pushSource(server, 'web');
  const first = await deploy(server, 'web');
  await pushSource(server, 'web').catch(() => {});
  await deploy(server, 'web');
  t.is(runtime.staged.length, 2);
  const response = await server.request('POST', `${base}/web/rollback`, {});
  t.is(response.status, 202);
  const run = await waitRun(server, 'web', (await response.json() as { id: string }).id);
  t.like(run, { phase: 'succeeded', kind: 'rollback', release: 1, stageId: first.stageId });
  t.is(runtime.staged.length, 2, 'nothing was rebuilt');
  t.is(runtime.deployed.at(-1)?.stageId, first.stageId);
  const releases = await (await server.request('GET', `${base}/web/releases`)).json() as any[];
  t.deepEqual(releases.map((r) => [r.number, r.current]), [[2, false], [1, true]]);
  const missing = await server.request('POST', `${base}/web/rollback`, { release: 99 });
  t.is(missing.status, 404);
  t.is((await missing.json() as { code: string }).code, 'release_not_found');
});

test('a failed stage or deploy fails the run and the serving release stays', async (t) => {
  const { server, runtime } = await withServer(t);
  await pushSource(server, 'web');
  await deploy(server, 'web');
  runtime.failNextStage = 'npm ci exited with code 1';
  t.like(await deploy(server, 'web'), { phase: 'failed', error: { code: 'stage_failed', message: 'npm ci exited with code 1' } });
  runtime.failNextDeploy = 'exited with code 1 before it answered on port 4000';
  t.like(await deploy(server, 'web'), { phase: 'failed', error: { code: 'deploy_failed' } });
  const app = await (await server.request('GET', `${base}/web`)).json() as any;
  t.is(app.status.release.number, 1);
  t.is(app.status.releases.length, 1);
});

test('a burst of deployments ends with the newest; queued ones and one still staging are superseded', async (t) => {
  const { server, runtime } = await withServer(t);
  await pushSource(server, 'web');
  runtime.holdStages();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await (await server.request('POST', `${base}/web/deployments`, {})).json() as { id: string }).id);
  runtime.openGate();
  const runs = await Promise.all(ids.map((id) => waitRun(server, 'web', id)));
  t.like(runs[0], { phase: 'failed', error: { code: 'superseded' } }, 'the first was still staging: a newer revision supersedes it');
  t.deepEqual(runs.slice(1, 4).map((r) => r.error?.code), ['superseded', 'superseded', 'superseded']);
  t.is(runs[4].phase, 'succeeded');
  t.is(runtime.staged.length, 2, 'two stages ran, not five');
});

test('ten parallel deployment requests: every run ends, exactly one build of the newest succeeds, nothing stays pending', async (t) => {
  const { server, runtime } = await withServer(t);
  await pushSource(server, 'web');
  runtime.holdStages();
  const answers = await Promise.all(Array.from({ length: 10 }, () => server.request('POST', `${base}/web/deployments`, {})));
  t.deepEqual(answers.map((a) => a.status), Array(10).fill(202));
  const ids = await Promise.all(answers.map(async (a) => (await a.json() as { id: string }).id));
  runtime.openGate();
  const runs = await Promise.all(ids.map((id) => waitRun(server, 'web', id)));
  const succeeded = runs.filter((r) => r.phase === 'succeeded');
  t.is(succeeded.length, 1, 'one run deploys');
  t.true(runs.every((r) => r.phase === 'succeeded' || r.error?.code === 'superseded'), JSON.stringify(runs.map((r) => [r.phase, r.error?.code])));
  const newest = runs.map((r) => r.startedAt).sort().at(-1);
  t.is(succeeded[0].startedAt, newest, 'the newest request is the one that deploys');
  t.is(runtime.deployed.length, 1, 'one deploy, one release');
  const app = await (await server.request('GET', `${base}/web`)).json() as any;
  t.is(app.status.release.number, 1);
  t.false((app.status.runs as any[]).some((r) => !['succeeded', 'failed'].includes(r.phase)), 'no run left pending');
});

test('a run already deploying is not superseded: the switch is atomic, the newer run goes after it', async (t) => {
  const { server, runtime } = await withServer(t);
  await pushSource(server, 'web');
  runtime.deployDelayMs = 400;
  const first = (await (await server.request('POST', `${base}/web/deployments`, {})).json() as { id: string }).id;
  const deadline = Date.now() + 5000;
  while ((await (await server.request('GET', `${base}/web/deployments/${first}`)).json() as any).phase !== 'deploying') {
    if (Date.now() > deadline) throw new Error('the first run never reached deploying');
    await new Promise((r) => setTimeout(r, 10));
  }
  const second = (await (await server.request('POST', `${base}/web/deployments`, {})).json() as { id: string }).id;
  t.like(await waitRun(server, 'web', first), { phase: 'succeeded', release: 1 });
  t.like(await waitRun(server, 'web', second), { phase: 'succeeded', release: 2 });
});

test('runs interrupted by a restart are marked failed, and the last release is restored', async (t) => {
  const runtime = createFakeRuntime();
  const first = await startTestServer({}, { runtime });
  const dataDir = first.dataDir;
  await pushSource(first, 'web');
  await deploy(first, 'web');
  runtime.holdStages();
  const pending = (await (await first.request('POST', `${base}/web/deployments`, {})).json() as { id: string }).id;
  await first.running.close();
  const fresh = createFakeRuntime();
  const second = await startTestServer({ SLIPWAY_DATA_DIR: dataDir }, { runtime: fresh });
  t.teardown(async () => { runtime.openGate(); await second.close(); await first.close(); });
  const run = await waitRun(second, 'web', pending);
  t.like(run, { phase: 'failed', error: { code: 'interrupted' } });
  const deadline = Date.now() + 5000;
  while (!fresh.deployed.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.like(fresh.deployed[0], { app: 'web', stageId: runtime.deployed[0]!.stageId }, 'release 1 runs again');
});

test('a deployment asked for right after a restart runs after the restore, not under it', async (t) => {
  const first = await startTestServer({}, { runtime: createFakeRuntime() });
  await pushSource(first, 'web');
  await deploy(first, 'web');
  await first.running.close();
  const fresh = createFakeRuntime();
  fresh.deployDelayMs = 300;
  const second = await startTestServer({ SLIPWAY_DATA_DIR: first.dataDir }, { runtime: fresh });
  t.teardown(async () => { await second.close(); await first.close(); });
  const run = await deploy(second, 'web');
  t.like(run, { phase: 'succeeded', release: 2 });
  t.is(fresh.deployed.length, 2);
  t.not(fresh.deployed[0]!.stageId, run.stageId, 'the restore of release 1 came first');
  t.is(fresh.deployed[1]!.stageId, run.stageId);
  const app = await (await second.request('GET', `${base}/web`)).json() as any;
  t.is(app.status.release.number, 2, 'the newer release serves');
});

test('two apps cannot claim the same route: refused when set, and at deploy for claims made before the other app existed', async (t) => {
  const { server } = await withServer(t);
  // "two" claims one.localhost before any app "one" exists: allowed then.
  await server.request('POST', base, { name: 'two', configuration: { routes: ['One.localhost./'] } });
  await server.request('POST', `${base}/two/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  await pushSource(server, 'one');
  t.is((await deploy(server, 'one')).phase, 'succeeded');
  t.like(await deploy(server, 'two'), { phase: 'failed', error: { code: 'route_conflict' } });
  const three = await server.request('POST', base, { name: 'three', configuration: { routes: ['ONE.localhost/'] } });
  t.is(three.status, 409);
  t.like(await three.json(), { code: 'route_conflict', data: { route: 'one.localhost', owner: 'workspace/one' } });
});

test('an app without a source has nothing to deploy', async (t) => {
  const { server } = await withServer(t);
  await server.request('POST', base, { name: 'empty' });
  const response = await server.request('POST', `${base}/empty/deployments`, {});
  t.is(response.status, 409);
  t.is((await response.json() as { code: string }).code, 'nothing_to_deploy');
});

test('without a runtime, pipeline routes answer 409 no_runtime', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.close());
  await pushSource(server, 'web');
  const response = await server.request('POST', `${base}/web/deployments`, {});
  t.is(response.status, 409);
  t.is((await response.json() as { code: string }).code, 'no_runtime');
});
