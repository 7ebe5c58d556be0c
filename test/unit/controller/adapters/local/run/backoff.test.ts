import test from 'ava';
import { backoffDelay } from '../../../../../../controller/adapters/local/run/backoff.ts';

test('restart delays double from the initial delay up to the maximum', (t) => {
  const options = { initialMs: 100, maxMs: 1000 };
  t.deepEqual([0, 1, 2, 3, 4, 5, 100].map((attempt) => backoffDelay(attempt, options)), [100, 200, 400, 800, 1000, 1000, 1000]);
});
