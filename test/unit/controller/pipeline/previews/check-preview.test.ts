/**
 * The decisions of one preview check, against a real file state store and a git source
 * whose pull request refs the test sets: create from the parent's settings, follow the
 * head, refuse forks and the limit (told through the notifier), never reopen on a
 * replay, delete on close and when the ref is gone.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStateStore } from '../../../../../controller/adapters/state/file-state-store.ts';
import { checkPreview, type PreviewDeps } from '../../../../../controller/pipeline/previews/check-preview.ts';
import { unknownRevision } from '../../../../../core/error-cases.ts';
import { silentLogger } from '../../../../../core/ports/logger.ts';
import { systemClock } from '../../../../../core/ports/clock.ts';
import type { App, Run } from '../../../../../core/types.ts';
import type { RunRequest } from '../../../../../controller/pipeline/run-request.ts';
import { createPreviews } from '../../../../../controller/pipeline/previews/create-previews.ts';
import type { PipelineDeps } from '../../../../../controller/pipeline/pipeline-deps.ts';

const SHA = (n: number) => String(n).repeat(40).slice(0, 40);

async function rig(t: { teardown(fn: () => Promise<void>): void }, previews: { max?: number; allowForks?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-previews-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = createFileStateStore({ dir, clock: systemClock });
  await store.createNamespace('ns');
  await store.createApp({
    metadata: { namespace: 'ns', name: 'web' } as App['metadata'],
    spec: {
      instances: 3, env: { PUBLIC: 'p', TOKEN: 's' }, secretEnv: ['TOKEN'], routes: ['web.example.com'], builder: 'b',
      origin: { kind: 'git', url: 'https://git.example.com/o/web.git', branch: 'main', subdir: 'app', watch: true, previews: { enabled: true, ...previews } },
    },
  });
  const refs = new Map<string, string>();
  const started: { app: string; request: RunRequest }[] = [];
  const removed: string[] = [];
  const refused: string[] = [];
  const deps: PreviewDeps = {
    store, clock: systemClock, logger: silentLogger,
    git: {
      async resolve(_url, revision) {
        const sha = refs.get(revision);
        if (!sha) throw unknownRevision('https://git.example.com/o/web.git', revision);
        return { sha, ref: revision };
      },
    },
    runner: {
      async start(_ns, app, request) {
        started.push({ app, request });
        const run: Run = { id: `r${started.length}`, kind: 'deploy', phase: 'pending', startedAt: new Date().toISOString(), ...(request.kind === 'deploy' ? { revision: request.revision } : {}) };
        await store.updateApp('ns', app, (a) => ({ ...a, status: { ...a.status, run } }));
        return run;
      },
    },
    remove: async (_ns, name) => { removed.push(name); await store.deleteApp('ns', name); },
    notifier: { async refused({ number, reason }) { refused.push(`${number}:${reason}`); } },
    due: (app, head) => app.status.run?.revision !== head,
  };
  return { store, refs, started, removed, refused, deps };
}

test('opening creates the preview from the parent\'s settings and deploys the head read from the ref', async (t) => {
  const { store, refs, started, deps } = await rig(t);
  refs.set('refs/pull/4/head', SHA(1));
  t.is(await checkPreview(deps, 'ns', 'web', 4, { action: 'open', source: 'webhook', fork: false, style: 'pull' }), 'deploying');
  const preview = (await store.getApp('ns', 'web-pr-4'))!;
  t.deepEqual(preview.spec, {
    origin: { kind: 'git', url: 'https://git.example.com/o/web.git', revision: 'refs/pull/4/head', subdir: 'app' },
    instances: 1, env: { PUBLIC: 'p', TOKEN: 's' }, routes: [], builder: 'b', secretEnv: ['TOKEN'],
    preview: { parent: 'web', number: 4, ref: 'refs/pull/4/head', fork: false },
  });
  t.deepEqual(started, [{ app: 'web-pr-4', request: { kind: 'deploy', revision: SHA(1) } }]);
  // The same head again: nothing new. A new head: deployed.
  t.is(await checkPreview(deps, 'ns', 'web', 4, { action: 'open', source: 'webhook', fork: false }), 'unchanged');
  refs.set('refs/pull/4/head', SHA(2));
  t.is(await checkPreview(deps, 'ns', 'web', 4, { action: 'open', source: 'poll' }), 'deploying');
  t.deepEqual(started.at(-1)!.request, { kind: 'deploy', revision: SHA(2) });
});

test('GitLab merge requests are read from refs/merge-requests/N/head', async (t) => {
  const { refs, started, deps } = await rig(t);
  refs.set('refs/merge-requests/2/head', SHA(3));
  t.is(await checkPreview(deps, 'ns', 'web', 2, { action: 'open', source: 'webhook', fork: false, style: 'merge-requests' }), 'deploying');
  t.is(started[0]!.app, 'web-pr-2');
});

test('a fork is refused unless allowed, and then gets no secret env values', async (t) => {
  const closed = await rig(t);
  closed.refs.set('refs/pull/5/head', SHA(4));
  t.is(await checkPreview(closed.deps, 'ns', 'web', 5, { action: 'open', source: 'webhook', fork: true }), 'refused');
  t.deepEqual(closed.refused, ['5:fork']);
  t.is(await closed.store.getApp('ns', 'web-pr-5'), undefined);

  const open = await rig(t, { allowForks: true });
  open.refs.set('refs/pull/5/head', SHA(4));
  t.is(await checkPreview(open.deps, 'ns', 'web', 5, { action: 'open', source: 'webhook', fork: true }), 'deploying');
  const preview = (await open.store.getApp('ns', 'web-pr-5'))!;
  t.deepEqual(preview.spec.env, { PUBLIC: 'p' });
  t.is(preview.spec.secretEnv, undefined);
  t.true(preview.spec.preview!.fork);
});

test('over the limit the new pull request is refused and the open previews stay', async (t) => {
  const { store, refs, refused, deps } = await rig(t, { max: 1 });
  refs.set('refs/pull/1/head', SHA(1));
  refs.set('refs/pull/2/head', SHA(2));
  t.is(await checkPreview(deps, 'ns', 'web', 1, { action: 'open', source: 'webhook', fork: false }), 'deploying');
  t.is(await checkPreview(deps, 'ns', 'web', 2, { action: 'open', source: 'webhook', fork: false }), 'refused');
  t.deepEqual(refused, ['2:limit']);
  t.truthy(await store.getApp('ns', 'web-pr-1'));
  t.is(await store.getApp('ns', 'web-pr-2'), undefined);
});

test('closing deletes the preview; a replayed or older opening does not bring it back, a later reopening does', async (t) => {
  const { store, refs, removed, deps } = await rig(t);
  refs.set('refs/pull/3/head', SHA(1));
  await checkPreview(deps, 'ns', 'web', 3, { action: 'open', source: 'webhook', fork: false, updatedAt: '2026-12-01T10:00:00Z' });
  t.is(await checkPreview(deps, 'ns', 'web', 3, { action: 'close', source: 'webhook', updatedAt: '2026-12-01T11:00:00Z' }), 'removed');
  t.deepEqual(removed, ['web-pr-3']);
  t.is(await checkPreview(deps, 'ns', 'web', 3, { action: 'open', source: 'webhook', fork: false, updatedAt: '2026-12-01T10:00:00Z' }), 'stale');
  t.is(await checkPreview(deps, 'ns', 'web', 3, { action: 'open', source: 'webhook', fork: false }), 'stale');
  t.is(await checkPreview(deps, 'ns', 'web', 3, { action: 'open', source: 'poll', fork: false }), 'stale', 'a poll cannot tell a closed pull request from an open one');
  t.is(await store.getApp('ns', 'web-pr-3'), undefined);
  t.is(await checkPreview(deps, 'ns', 'web', 3, { action: 'open', source: 'webhook', fork: false, updatedAt: '2026-12-02T09:00:00Z' }), 'deploying');
  t.deepEqual((await store.getApp('ns', 'web'))!.status.previews, { closed: [] });
});

test('a preview whose ref is gone is deleted; an app of that name that is no preview is left alone', async (t) => {
  const { store, refs, removed, deps } = await rig(t);
  refs.set('refs/pull/8/head', SHA(1));
  await checkPreview(deps, 'ns', 'web', 8, { action: 'open', source: 'webhook', fork: false });
  refs.delete('refs/pull/8/head');
  t.is(await checkPreview(deps, 'ns', 'web', 8, { action: 'open', source: 'poll' }), 'removed');
  t.deepEqual(removed, ['web-pr-8']);
  await store.createApp({ metadata: { namespace: 'ns', name: 'web-pr-9' } as App['metadata'], spec: { instances: 1, env: {}, routes: [] } });
  refs.set('refs/pull/9/head', SHA(2));
  t.is(await checkPreview(deps, 'ns', 'web', 9, { action: 'close', source: 'webhook' }), 'conflict');
  t.truthy(await store.getApp('ns', 'web-pr-9'));
});

test('two pull requests opened together cannot both pass the limit', async (t) => {
  const { store, refs, refused, deps } = await rig(t, { max: 1 });
  refs.set('refs/pull/1/head', SHA(1));
  refs.set('refs/pull/2/head', SHA(2));
  const previews = createPreviews({
    pipeline: { store, git: deps.git, clock: systemClock, logger: silentLogger } as unknown as PipelineDeps,
    runner: { start: deps.runner.start, cancel: async () => {} }, secrets: { deleteSecrets: async () => {} }, notifier: deps.notifier,
  });
  const outcomes = await Promise.all([1, 2].map((n) => previews.check('ns', 'web', n, { action: 'open', source: 'webhook', fork: false }, deps.due)));
  t.deepEqual(outcomes.sort(), ['deploying', 'refused']);
  t.is((await store.listApps('ns')).filter((a) => a.spec.preview).length, 1);
  t.is(refused.length, 1);
});

test('a replayed close older than a reopening leaves the preview alone', async (t) => {
  const { store, refs, removed, deps } = await rig(t);
  refs.set('refs/pull/6/head', SHA(1));
  await checkPreview(deps, 'ns', 'web', 6, { action: 'open', source: 'webhook', fork: false, updatedAt: '2026-12-01T10:00:00Z' });
  t.is(await checkPreview(deps, 'ns', 'web', 6, { action: 'close', source: 'webhook', updatedAt: '2026-12-01T11:00:00Z' }), 'removed');
  await checkPreview(deps, 'ns', 'web', 6, { action: 'open', source: 'webhook', fork: false, updatedAt: '2026-12-01T12:00:00Z' });
  t.is((await store.getApp('ns', 'web-pr-6'))!.status.pullRequestUpdatedAt, '2026-12-01T12:00:00Z');
  t.is(await checkPreview(deps, 'ns', 'web', 6, { action: 'close', source: 'webhook', updatedAt: '2026-12-01T11:00:00Z' }), 'stale');
  t.truthy(await store.getApp('ns', 'web-pr-6'));
  t.deepEqual(removed, ['web-pr-6']);
});
