/**
 * The runner's hand-off between replicas and across restarts, runs that need no build
 * (container images, redeploys after a spec change), and the conditions runs leave on
 * the app. Runs on the file state store and the fake runtime.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStateStore } from '../../../../controller/adapters/state/file-state-store.ts';
import { createFsBlobStore } from '../../../../controller/adapters/blob/fs-blob-store.ts';
import { createRunner } from '../../../../controller/pipeline/create-runner.ts';
import { createStageTracker } from '../../../../controller/pipeline/stage-tracker.ts';
import type { PipelineDeps } from '../../../../controller/pipeline/pipeline-deps.ts';
import { silentLogger } from '../../../../core/ports/logger.ts';
import { systemClock } from '../../../../core/ports/clock.ts';
import type { GitSource } from '../../../../core/ports/git-source.ts';
import type { App, Run } from '../../../../core/types.ts';
import { createFakeRuntime } from '../../../helpers/fake-runtime.ts';

const noGit = {} as GitSource;

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-runner-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = createFileStateStore({ dir: join(dir, 'state'), clock: systemClock });
  await store.createNamespace('ns');
  const runtime = createFakeRuntime();
  const deps: PipelineDeps = {
    store, runtime, blobs: createFsBlobStore({ dir: join(dir, 'blobs') }), git: noGit, clock: systemClock,
    logger: silentLogger, stages: createStageTracker(), systemDomain: 'example.test',
  };
  return { store, runtime, deps };
}

async function finished(store: ReturnType<typeof createFileStateStore>, app: string, id: string): Promise<Run> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = (await store.getApp('ns', app))?.status.runs?.find((r) => r.id === id);
    if (found && (found.phase === 'succeeded' || found.phase === 'failed')) return found;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${found?.phase}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const withSource = (name: string): Parameters<ReturnType<typeof createFileStateStore>['createApp']>[0] => ({
  metadata: { namespace: 'ns', name } as App['metadata'],
  spec: { instances: 1, env: {}, routes: [], origin: { kind: 'path' } },
  status: { source: { blobuid: 'b1', format: 'tar.gz', size: 1, createdAt: new Date().toISOString() } },
});

test('a replica that does not execute records the run as pending; the leader adopts and runs it', async (t) => {
  const { store, runtime, deps } = await setup(t);
  await store.createApp(withSource('web'));
  const follower = createRunner(deps, [], { executes: () => false });
  const run = await follower.start('ns', 'web', { kind: 'deploy', blobuid: 'b1' });
  t.is(run.phase, 'pending');
  t.is(runtime.staged.length, 0, 'the follower built nothing');
  const leader = createRunner(deps);
  const stored = (await store.getApp('ns', 'web'))!.status.run!;
  t.true(await leader.adopt('ns', 'web', stored));
  t.false(await leader.adopt('ns', 'web', stored), 'adopting a run already held does nothing');
  t.like(await finished(store, 'web', run.id), { phase: 'succeeded', release: 1, blobuid: 'b1', generation: 1 });
  t.is(runtime.staged.length, 1);
});

test('recover resumes pending runs and fails the ones that were in flight', async (t) => {
  const { store, deps } = await setup(t);
  await store.createApp(withSource('web'));
  await store.createApp(withSource('api'));
  const recorded = createRunner(deps, [], { executes: () => false });
  const pending = await recorded.start('ns', 'web', { kind: 'deploy' });
  const inFlight = await recorded.start('ns', 'api', { kind: 'deploy' });
  await store.updateApp('ns', 'api', (app) => ({ ...app, status: { ...app.status, run: { ...inFlight, phase: 'staging' }, runs: [{ ...inFlight, phase: 'staging' }] } }));
  const restarted = createRunner(deps);
  t.is(await restarted.recover(), 1);
  t.like(await finished(store, 'web', pending.id), { phase: 'succeeded', release: 1 });
  t.like(await finished(store, 'api', inFlight.id), { phase: 'failed', error: { code: 'interrupted' } });
});

test('a container origin deploys its image without staging', async (t) => {
  const { store, runtime, deps } = await setup(t);
  await store.createApp({ metadata: { namespace: 'ns', name: 'img' } as App['metadata'], spec: { instances: 2, env: {}, routes: [], origin: { kind: 'container', image: 'nginx:1.27' } } });
  const runner = createRunner(deps);
  const run = await runner.start('ns', 'img', { kind: 'deploy' });
  t.like(await finished(store, 'img', run.id), { phase: 'succeeded', image: 'nginx:1.27', release: 1 });
  t.is(runtime.staged.length, 0);
  t.like(runtime.deployed[0], { image: 'nginx:1.27', instances: 2, routes: ['img.example.test'] });
});

test('a redeploy runs the current release again with the changed spec, without building', async (t) => {
  const { store, runtime, deps } = await setup(t);
  await store.createApp(withSource('web'));
  const runner = createRunner(deps);
  const first = await runner.start('ns', 'web', { kind: 'deploy' });
  await finished(store, 'web', first.id);
  await store.updateApp('ns', 'web', (app) => ({ ...app, spec: { ...app.spec, instances: 3 } }));
  const again = await runner.start('ns', 'web', { kind: 'redeploy' });
  t.like(await finished(store, 'web', again.id), { kind: 'deploy', phase: 'succeeded', release: 1, generation: 2 });
  t.is(runtime.staged.length, 1, 'built once');
  t.like(runtime.deployed.at(-1), { instances: 3, stageId: runtime.deployed[0]!.stageId });
});

test('runs leave Ready, Staged and Deployed conditions; a failed stage keeps the app Ready', async (t) => {
  const { store, runtime, deps } = await setup(t);
  await store.createApp(withSource('web'));
  const runner = createRunner(deps);
  await finished(store, 'web', (await runner.start('ns', 'web', { kind: 'deploy' })).id);
  const byType = async () => Object.fromEntries(((await store.getApp('ns', 'web'))!.status.conditions ?? []).map((c) => [c.type, c]));
  const ok = await byType();
  t.like(ok, { Ready: { status: 'True', reason: 'Serving' }, Staged: { status: 'True' }, Deployed: { status: 'True', reason: 'RolloutComplete' } });
  runtime.failNextStage = 'npm ci exited with 1';
  await finished(store, 'web', (await runner.start('ns', 'web', { kind: 'deploy' })).id);
  const failed = await byType();
  t.like(failed, { Ready: { status: 'True' }, Staged: { status: 'False', reason: 'StageFailed' }, Deployed: { status: 'True' } });
  t.is(failed.Ready!.lastTransitionTime, ok.Ready!.lastTransitionTime, 'Ready did not transition');
  t.regex(failed.Staged!.message, /npm ci exited with 1/);
});

test('recover leaves alone the runs this runner still executes (a leader that regained its Lease)', async (t) => {
  const { store, runtime, deps } = await setup(t);
  await store.createApp(withSource('web'));
  const runner = createRunner(deps);
  runtime.holdStages();
  const run = await runner.start('ns', 'web', { kind: 'deploy' });
  const deadline = Date.now() + 5000;
  while ((await store.getApp('ns', 'web'))!.status.run!.phase !== 'staging' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.is(await runner.recover(), 0);
  runtime.openGate();
  t.like(await finished(store, 'web', run.id), { phase: 'succeeded' });
});

test('a run from a stored source takes three status writes: staging (no pending), deploying, and the release with the runtime state its cache shows', async (t) => {
  const { store, runtime, deps } = await setup(t);
  await store.createApp(withSource('web'));
  const phases: string[] = [];
  const counted: PipelineDeps = {
    ...deps,
    runtime: { ...runtime, cachedStatus: () => ({ phase: 'running', desired: 1, ready: 1, restarts: 0 }) },
    store: {
      ...store,
      updateApp: async (namespace, name, change) => {
        const updated = await store.updateApp(namespace, name, change);
        phases.push(updated.status.run?.phase ?? '-');
        return updated;
      },
    },
  };
  const runner = createRunner(counted);
  const run = await runner.start('ns', 'web', { kind: 'deploy' });
  t.is(run.phase, 'staging');
  t.truthy(run.stageId);
  const done = await finished(store, 'web', run.id);
  t.like(done, { phase: 'succeeded', release: 1, stageId: run.stageId, blobuid: 'b1' });
  t.deepEqual(phases, ['staging', 'deploying', 'succeeded']);
  const app = (await store.getApp('ns', 'web'))!;
  t.like(app.status.runtime, { phase: 'running', desired: 1, ready: 1 });
  t.like(app.status.conditions?.find((c) => c.type === 'Ready'), { status: 'True', message: '1/1 instances ready' });
});
