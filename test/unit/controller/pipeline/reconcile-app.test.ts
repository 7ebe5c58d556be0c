/**
 * Reconciling an App the way the Kubernetes leader does: GitOps-created apps get a run,
 * spec edits redeploy without a build, specs already acted on get none, pending runs
 * of other replicas are adopted.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStateStore } from '../../../../controller/adapters/state/file-state-store.ts';
import { reconcileApp, runForSpec } from '../../../../controller/pipeline/reconcile-app.ts';
import type { RunRequest } from '../../../../controller/pipeline/run-request.ts';
import { silentLogger } from '../../../../core/ports/logger.ts';
import { systemClock } from '../../../../core/ports/clock.ts';
import type { App, Origin, Release, Run } from '../../../../core/types.ts';

function fakeRunner() {
  const started: RunRequest[] = [];
  const adopted: string[] = [];
  return {
    started, adopted,
    async start(_ns: string, _app: string, request: RunRequest): Promise<Run> {
      started.push(request);
      return { id: 'r', kind: 'deploy', phase: 'pending', startedAt: '' };
    },
    async adopt(_ns: string, _app: string, run: Run): Promise<boolean> {
      adopted.push(run.id);
      return true;
    },
  };
}

async function storeWith(t: { teardown(fn: () => Promise<void>): void }, spec: Partial<App['spec']>, status: App['status'] = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-reconcile-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = createFileStateStore({ dir, clock: systemClock });
  await store.createNamespace('ns');
  await store.createApp({ metadata: { namespace: 'ns', name: 'web' } as App['metadata'], spec: { instances: 1, env: {}, routes: [], ...spec }, status });
  return store;
}

const release = (over: Partial<Release> = {}): Release => ({ number: 1, stageId: 's1', image: 'reg/ns-web:s1', blobuid: 'b1', createdAt: '', ...over });
const git: Origin = { kind: 'git', url: 'https://git.example/a.git', branch: 'main' };

test('an App applied with a git origin and nothing deployed gets a deploy, and its generation is observed', async (t) => {
  const store = await storeWith(t, { origin: git });
  const runner = fakeRunner();
  const outcome = await reconcileApp({ store, logger: silentLogger }, runner, 'ns', 'web');
  t.deepEqual(runner.started, [{ kind: 'deploy' }]);
  t.is(outcome.observedGeneration, 1);
  t.is((await store.getApp('ns', 'web'))!.status.observedGeneration, 1);
  await reconcileApp({ store, logger: silentLogger }, runner, 'ns', 'web');
  t.is(runner.started.length, 1, 'an observed generation is not acted on twice');
});

test('a spec edit that keeps the origin redeploys the release without a build', async (t) => {
  const store = await storeWith(t, { origin: git }, {
    observedGeneration: 1, release: release({ branch: 'main', revision: 'a'.repeat(40) }),
    source: { blobuid: 'b1', url: git.url, branch: 'main', revision: 'a'.repeat(40), format: 'tar.gz', size: 1, createdAt: '' },
  });
  await store.updateApp('ns', 'web', (app) => ({ ...app, spec: { ...app.spec, instances: 3 } }));
  const runner = fakeRunner();
  await reconcileApp({ store, logger: silentLogger }, runner, 'ns', 'web');
  t.deepEqual(runner.started, [{ kind: 'redeploy' }]);
});

test('a spec change the API already started a run for gets no second run', async (t) => {
  const run: Run = { id: 'api-run', kind: 'deploy', phase: 'staging', startedAt: '2026-01-01T00:00:00Z', generation: 2 };
  const store = await storeWith(t, { origin: { kind: 'path' } }, { observedGeneration: 1, release: release(), run, runs: [run] });
  await store.updateApp('ns', 'web', (app) => ({ ...app, spec: { ...app.spec, env: { A: '1' } } }));
  const runner = fakeRunner();
  await reconcileApp({ store, logger: silentLogger }, runner, 'ns', 'web');
  t.deepEqual(runner.started, []);
  t.is((await store.getApp('ns', 'web'))!.status.observedGeneration, 2);
});

test('pending runs recorded by another replica are adopted, oldest first', async (t) => {
  const older: Run = { id: 'older', kind: 'deploy', phase: 'pending', startedAt: '2026-01-01T00:00:00Z', generation: 1 };
  const newer: Run = { id: 'newer', kind: 'deploy', phase: 'pending', startedAt: '2026-01-01T00:00:01Z', generation: 1 };
  const store = await storeWith(t, { origin: { kind: 'path' } }, { observedGeneration: 1, run: newer, runs: [newer, older] });
  const runner = fakeRunner();
  t.like(await reconcileApp({ store, logger: silentLogger }, runner, 'ns', 'web'), { adopted: 2 });
  t.deepEqual(runner.adopted, ['older', 'newer']);
});

const decides = test.macro({
  exec(t, app: Pick<App, 'spec' | 'status'>, expected: RunRequest['kind'] | undefined) {
    t.is(runForSpec({ metadata: { namespace: 'ns', name: 'web', resourceVersion: '1', generation: 2, createdAt: '' }, ...app })?.kind, expected);
  },
  title: (given) => given ?? '',
});

const src = { blobuid: 'b1', url: git.url, branch: 'main', revision: 'a'.repeat(40), format: 'tar.gz' as const, size: 1, createdAt: '' };
test('a new container image deploys', decides, { spec: { instances: 1, env: {}, routes: [], origin: { kind: 'container', image: 'nginx:2' } }, status: { release: release({ image: 'nginx:1' }) } }, 'deploy');
test('the same container image redeploys', decides, { spec: { instances: 1, env: {}, routes: [], origin: { kind: 'container', image: 'nginx:1' } }, status: { release: release({ image: 'nginx:1' }) } }, 'redeploy');
test('another git branch deploys', decides, { spec: { instances: 1, env: {}, routes: [], origin: { ...git, revision: 'next' } }, status: { source: src, release: release({ branch: 'main', revision: src.revision }) } }, 'deploy');
test('another subdir deploys', decides, { spec: { instances: 1, env: {}, routes: [], origin: { ...git, subdir: 'api' } }, status: { source: src, release: release({ branch: 'main' }) } }, 'deploy');
test('the short SHA of the release redeploys', decides, { spec: { instances: 1, env: {}, routes: [], origin: { ...git, revision: 'aaaaaaa' } }, status: { source: src, release: release({ branch: 'main', revision: src.revision }) } }, 'redeploy');
test('a path app without a release needs nothing', decides, { spec: { instances: 1, env: {}, routes: [], origin: { kind: 'path' } }, status: {} }, undefined);
