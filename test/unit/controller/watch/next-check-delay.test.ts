import test from 'ava';
import { backoffMs, nextCheckDelay } from '../../../../controller/watch/next-check-delay.ts';

test('jitter stays within ±10% of the interval', (t) => {
  t.is(nextCheckDelay(60_000, 0, () => 0), 54_000);
  t.is(nextCheckDelay(60_000, 0, () => 0.5), 60_000);
  t.is(nextCheckDelay(60_000, 0, () => 0.999999), 66_000);
  for (let i = 0; i < 1000; i += 1) {
    const delay = nextCheckDelay(60_000, 0);
    t.true(delay >= 54_000 && delay <= 66_000, String(delay));
  }
});

test('jitter spreads apps over the window', (t) => {
  const delays = new Set(Array.from({ length: 200 }, () => Math.floor(nextCheckDelay(60_000, 0) / 1000)));
  t.true(delays.size > 8);
});

const backoff = test.macro({
  exec(t, failures: number, factor: number) {
    t.is(backoffMs(60_000, failures), 60_000 * factor);
    t.is(nextCheckDelay(60_000, failures, () => 0.5), 60_000 * factor);
  },
  title: (_given, failures: number, factor: number) => `${failures} failures wait ${factor}× the interval`,
});

test(backoff, 0, 1);
test(backoff, 1, 2);
test(backoff, 2, 4);
test(backoff, 3, 8);
test(backoff, 4, 10);
test(backoff, 50, 10);
