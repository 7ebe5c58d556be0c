import test from 'ava';
import { SlipwayError } from '../../../core/errors.ts';
import { stageFailed } from '../../../core/error-cases.ts';
import { retryTransient } from '../../../controller/adapters/kube/runtime/stage/retry-transient.ts';

const transient = () => new SlipwayError('kubernetes_error', 'the Kubernetes API answered 500', { status: 503, retry: 'backoff' });

test('a call failing with a passing error is retried until it succeeds', async (t) => {
  let calls = 0;
  const result = await retryTransient(async () => {
    calls += 1;
    if (calls < 3) throw transient();
    return 'done';
  }, { baseMs: 1 });
  t.is(result, 'done');
  t.is(calls, 3);
});

test('a refusal is thrown at once', async (t) => {
  let calls = 0;
  await t.throwsAsync(retryTransient(async () => {
    calls += 1;
    throw stageFailed('the Secret "slipway-registry" is missing');
  }, { baseMs: 1 }), { message: /slipway-registry/ });
  t.is(calls, 1);
});

test('retries stop after the attempts are spent', async (t) => {
  let calls = 0;
  await t.throwsAsync(retryTransient(async () => {
    calls += 1;
    throw transient();
  }, { baseMs: 1, attempts: 4 }), { message: /500/ });
  t.is(calls, 4);
});
