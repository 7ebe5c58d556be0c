import test from 'ava';
import { ApiException } from '@kubernetes/client-node';
import { SlipwayError, isSlipwayError } from '../../../core/errors.ts';
import { invalidRequest } from '../../../core/error-cases.ts';
import { kubeCall } from '../../../controller/adapters/kube/runtime/deploy/kube-call.ts';

const answer = (code: number, reason = 'X') => new ApiException(code, `HTTP ${code} with headers and body`, { kind: 'Status', reason, message: `said ${code}` }, {});

/** A call that fails with `errors` in turn, then returns 'ok'. */
const flaky = (errors: unknown[]) => {
  let calls = 0;
  return { call: async () => { const e = errors[calls++]; if (e) throw e; return 'ok'; }, calls: () => calls };
};

const retried = test.macro({
  async exec(t, error: unknown) {
    const f = flaky([error, error]);
    t.is(await kubeCall('doing it', f.call), 'ok');
    t.is(f.calls(), 3);
  },
  title: (given) => `retries ${given}`,
});
test('a 500', retried, answer(500));
test('a 409 Conflict', retried, answer(409, 'Conflict'));
test('a 429', retried, answer(429));
test('a dropped connection', retried, new TypeError('fetch failed'));
test('a translated retryable error', retried, new SlipwayError('kubernetes_error', 'x', { status: 503, retry: 'backoff' }));

const final = test.macro({
  async exec(t, error: unknown, code: string) {
    const f = flaky([error, error]);
    const thrown = await t.throwsAsync(kubeCall('applying Deployment team/web', f.call));
    t.is(f.calls(), 1);
    t.true(isSlipwayError(thrown, code), String(thrown));
    t.notRegex(thrown!.message, /headers and body/);
  },
  title: (given) => `does not retry ${given}`,
});
test('a 422 (refused object)', final, answer(422, 'Invalid'), 'invalid_request');
test('a 403', final, answer(403, 'Forbidden'), 'kubernetes_forbidden');
test('an invalid request', final, invalidRequest('bad env'), 'invalid_request');

test('a 404 is undefined when allowed', async (t) => {
  t.is(await kubeCall('reading', async () => { throw answer(404, 'NotFound'); }, { allowNotFound: true }), undefined);
});

test('gives up after the attempts, with the API\'s reason and not its raw text', async (t) => {
  const f = flaky(Array(10).fill(answer(503, 'ServiceUnavailable')));
  const thrown = await t.throwsAsync(kubeCall('listing pods', f.call, { attempts: 3 }));
  t.is(f.calls(), 3);
  t.regex(thrown!.message, /503 ServiceUnavailable while listing pods: said 503/);
});

test('an aborted signal stops retrying', async (t) => {
  const abort = new AbortController();
  const f = flaky(Array(10).fill(answer(500)));
  const calling = kubeCall('x', f.call, { signal: abort.signal });
  abort.abort();
  await t.throwsAsync(calling);
  t.true(f.calls() <= 2);
});
