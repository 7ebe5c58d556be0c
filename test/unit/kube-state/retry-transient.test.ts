import test from 'ava';
import { ApiException } from '@kubernetes/client-node';
import { backoffDelay, isTransient, retryTransient } from '../../../controller/adapters/kube/state/retry-transient.ts';

const answer = (code: number, body: unknown) => new ApiException(code, 'x', JSON.stringify(body), {});
const appGone = answer(404, { kind: 'Status', reason: 'NotFound', details: { name: 'web', kind: 'apps' }, code: 404 });

test('5xx, 429 and socket errors are transient; answers are not', (t) => {
  t.true(isTransient(answer(500, {})));
  t.true(isTransient(answer(429, {})));
  t.true(isTransient(new TypeError('fetch failed')));
  t.false(isTransient(answer(409, {})));
  t.false(isTransient(answer(422, {})));
  t.false(isTransient(appGone));
});

test('transient failures are retried, answers are not', async (t) => {
  let calls = 0;
  t.is(await retryTransient(async () => { if (++calls < 3) throw answer(503, {}); return 'ok'; }, { baseMs: 1 }), 'ok');
  t.is(calls, 3);
  calls = 0;
  await t.throwsAsync(retryTransient(async () => { calls++; throw answer(422, {}); }, { baseMs: 1 }));
  t.is(calls, 1);
  calls = 0;
  await t.throwsAsync(retryTransient(async () => { calls++; throw answer(500, {}); }, { attempts: 3, baseMs: 1 }));
  t.is(calls, 3);
});

test('backoff grows, stays jittered within its ceiling, and is capped', (t) => {
  for (let i = 0; i < 50; i++) {
    const d = backoffDelay(2, 10);
    t.true(d >= 20 && d <= 40);
  }
  t.true(backoffDelay(30, 10) <= 2_000);
});
