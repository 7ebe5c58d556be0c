import test from 'ava';
import { exitBySignal, type ProcessEnd } from '../../../controller/startup/exit-by-signal.ts';

function recorder() {
  const events: string[] = [];
  const end: ProcessEnd = { raise: (signal) => { events.push(`raise ${signal}`); }, exit: (code) => { events.push(`exit ${code}`); } };
  return { events, end };
}

test('the logger is flushed before the process ends by the signal that stopped it', async (t) => {
  const { events, end } = recorder();
  const logger = { flush: (done?: () => void) => { setTimeout(() => { events.push('flushed'); done?.(); }, 20); } };
  await exitBySignal('SIGTERM', logger, { end, fallbackMs: 50 });
  t.deepEqual(events, ['flushed', 'raise SIGTERM']);
  // Should the signal not end it, the last resort follows.
  await new Promise((r) => setTimeout(r, 80));
  t.deepEqual(events, ['flushed', 'raise SIGTERM', 'exit 0']);
});

test('a logger that never calls back does not hold the end', async (t) => {
  const { events, end } = recorder();
  const begun = Date.now();
  await exitBySignal('SIGINT', { flush: () => {} }, { end, flushMs: 30, fallbackMs: 10_000 });
  t.deepEqual(events, ['raise SIGINT']);
  t.true(Date.now() - begun < 1000);
});

test('a logger without flush (the logging port) is no reason to wait', async (t) => {
  const { events, end } = recorder();
  await exitBySignal('SIGTERM', { info() {} }, { end, fallbackMs: 10_000 });
  t.deepEqual(events, ['raise SIGTERM']);
});
