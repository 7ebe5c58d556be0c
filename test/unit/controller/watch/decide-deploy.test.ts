import test from 'ava';
import { decideDeploy } from '../../../../controller/watch/decide-deploy.ts';
import type { CheckReason } from '../../../../controller/watch/check-queue.ts';
import type { App, AppStatus, Run } from '../../../../core/types.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const run = (patch: Partial<Run>): Run => ({ id: 'r', kind: 'deploy', phase: 'succeeded', startedAt: '2026-01-01T00:00:00Z', ...patch });
const release = (revision: string) => ({ number: 1, stageId: 's', image: 'i', blobuid: 'b', revision, createdAt: '' });
const app = (status: AppStatus): App => ({
  metadata: { namespace: 'ns', name: 'web', resourceVersion: '1', generation: 1, createdAt: '' },
  spec: { instances: 1, env: {}, routes: [] },
  status,
});

const decides = test.macro({
  exec(t, status: AppStatus, reason: CheckReason, expected: boolean) {
    t.is(decideDeploy(app(status), B, reason), expected);
  },
  title: (given) => given ?? '',
});

test('a new app deploys the head', decides, {}, 'poll', true);
test('the serving head is not deployed again', decides, { release: release(B) }, 'webhook', false);
test('a moved head is deployed', decides, { release: release(A) }, 'poll', true);
test('a head staging now is not deployed twice', decides, { release: release(A), run: run({ revision: B, phase: 'staging' }) }, 'webhook', false);
test('a head queued behind another run is not deployed twice', decides, { run: run({ revision: A, phase: 'staging' }), runs: [run({ revision: A, phase: 'staging' }), run({ id: 'q', revision: B, phase: 'pending' })] }, 'poll', false);
test('a poll does not rebuild a head that failed', decides, { release: release(A), run: run({ revision: B, phase: 'failed', error: { code: 'stage_failed', message: '' } }) }, 'poll', false);
test('a webhook redelivery retries a head that failed', decides, { release: release(A), run: run({ revision: B, phase: 'failed', error: { code: 'stage_failed', message: '' } }) }, 'webhook', true);
test('a poll retries a head whose run was interrupted', decides, { release: release(A), run: run({ revision: B, phase: 'failed', error: { code: 'interrupted', message: '' } }) }, 'poll', true);
test('a poll retries a head whose import found every git slot busy (a burst of imports)', decides, { release: release(A), run: run({ revision: B, phase: 'failed', error: { code: 'git_busy', message: '' } }) }, 'poll', true);
test('after a rollback away from the head, a poll leaves it', decides, { release: release(A), releases: [{ ...release(B), number: 2 }, release(A)], run: run({ kind: 'rollback', revision: A }) }, 'poll', false);
test('after a rollback, a manual check deploys the head', decides, { release: release(A), releases: [{ ...release(B), number: 2 }, release(A)], run: run({ kind: 'rollback', revision: A }) }, 'manual', true);
