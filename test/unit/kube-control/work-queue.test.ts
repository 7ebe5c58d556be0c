import test from 'ava';
import { createWorkQueue, type WorkResult } from '../../../controller/adapters/kube/control/work-queue.ts';
import { createManualTimers } from './manual-timers.ts';

/** A promise with its resolve function, to hold a handler open. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

test('a key added many times before it runs is handled once', async (t) => {
  const calls: string[] = [];
  const queue = createWorkQueue({ handler: async (key) => { calls.push(key); }, timers: createManualTimers() });
  queue.add('ns/a');
  queue.add('ns/a');
  queue.add('ns/b');
  queue.add('ns/a');
  await queue.idle();
  t.deepEqual(calls.sort(), ['ns/a', 'ns/b']);
});

test('one handler at a time per key; a key added while it runs runs once more right after', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const gates = [deferred(), deferred()];
  let calls = 0;
  const queue = createWorkQueue({
    concurrency: 4,
    timers: createManualTimers(),
    handler: async () => {
      const gate = gates[calls++];
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate?.promise;
      inFlight--;
    },
  });
  queue.add('ns/a');
  await new Promise((r) => setImmediate(r));
  t.is(calls, 1);
  queue.add('ns/a');
  queue.add('ns/a');
  await new Promise((r) => setImmediate(r));
  t.is(calls, 1, 'the second run waits for the first');
  gates[0]!.resolve();
  await new Promise((r) => setImmediate(r));
  t.is(calls, 2, 'the key runs again right after');
  gates[1]!.resolve();
  await queue.idle();
  t.is(calls, 2, 'two adds during the run make one more run');
  t.is(maxInFlight, 1);
});

test('no more handlers run at once than the concurrency allows', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const queue = createWorkQueue({
    concurrency: 3,
    timers: createManualTimers(),
    handler: async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    },
  });
  for (let i = 0; i < 20; i++) queue.add(`ns/app-${i}`);
  t.is(queue.length, 20);
  await Promise.resolve();
  t.is(queue.length, 20 - 3, 'three started at once');
  await queue.idle();
  t.is(maxInFlight, 3);
  t.is(queue.length, 0);
});

test('a failing key is retried after base * 2^(failures-1), capped at the maximum', async (t) => {
  const timers = createManualTimers();
  let calls = 0;
  const queue = createWorkQueue({
    timers,
    random: () => 0.5, // no jitter
    backoff: { baseMs: 100, maxMs: 1000 },
    handler: async () => { calls++; throw new Error('boom'); },
  });
  queue.add('ns/a');
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    await queue.idle();
    const [delay] = timers.pending();
    delays.push(delay!);
    await timers.advance(delay!);
  }
  t.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  t.is(calls, 7);
  await queue.shutdown();
});

const jitter = test.macro({
  exec: async (t, random: number, expected: number) => {
    const timers = createManualTimers();
    const queue = createWorkQueue({ timers, random: () => random, backoff: { baseMs: 1000, maxMs: 60_000 }, handler: async () => { throw new Error('boom'); } });
    queue.add('ns/a');
    await queue.idle();
    t.deepEqual(timers.pending(), [expected]);
    await queue.shutdown();
  },
  title: (_provided, random: number, expected: number) => `retry delay with random ${random} is ${expected} ms (±20 % jitter)`,
});
test(jitter, 0, 800);
test(jitter, 0.5, 1000);
test(jitter, 0.999_999, 1200);

test('a success resets the backoff of its key, and only of its key', async (t) => {
  const timers = createManualTimers();
  const failing = new Set(['ns/a', 'ns/b']);
  const queue = createWorkQueue({
    timers,
    random: () => 0.5,
    backoff: { baseMs: 100, maxMs: 60_000 },
    handler: async (key) => { if (failing.has(key)) throw new Error('boom'); },
  });
  queue.add('ns/a');
  queue.add('ns/b');
  await queue.idle();
  await timers.advance(100);
  await queue.idle();
  t.deepEqual(timers.pending(), [200, 200], 'both keys failed twice');
  failing.delete('ns/a');
  await timers.advance(200);
  await queue.idle();
  t.deepEqual(timers.pending(), [400], 'b failed a third time; a succeeded and is not retried');
  failing.add('ns/a');
  queue.add('ns/a');
  await queue.idle();
  t.deepEqual(timers.pending(), [100, 400], 'a starts over at the base delay');
  await queue.shutdown();
});

test('requeueAfterMs runs the key again after that delay', async (t) => {
  const timers = createManualTimers();
  const calls: number[] = [];
  const queue = createWorkQueue({
    timers,
    handler: async (): Promise<WorkResult> => {
      calls.push(timers.now());
      return calls.length < 3 ? { requeueAfterMs: 5000 } : undefined;
    },
  });
  queue.add('ns/a');
  await queue.idle();
  t.deepEqual(timers.pending(), [5000]);
  await timers.advance(4999);
  t.is(calls.length, 1);
  await timers.advance(1);
  await queue.idle();
  await timers.advance(5000);
  await queue.idle();
  t.deepEqual(calls, [0, 5000, 10_000]);
  t.deepEqual(timers.pending(), []);
});

test('of two delayed adds of one key the earlier wins', async (t) => {
  const timers = createManualTimers();
  let calls = 0;
  const queue = createWorkQueue({ timers, handler: async () => { calls++; } });
  queue.addAfter('ns/a', 1000);
  queue.addAfter('ns/a', 300);
  queue.addAfter('ns/a', 2000);
  t.deepEqual(timers.pending(), [300]);
  await timers.advance(300);
  await queue.idle();
  t.is(calls, 1);
  t.deepEqual(timers.pending(), []);
});

test('forget drops a pending retry and the failure count', async (t) => {
  const timers = createManualTimers();
  let calls = 0;
  const queue = createWorkQueue({ timers, random: () => 0.5, handler: async () => { calls++; throw new Error('boom'); } });
  queue.add('ns/a');
  await queue.idle();
  await timers.advance(100);
  await queue.idle();
  t.deepEqual(timers.pending(), [200]);
  queue.forget('ns/a');
  t.deepEqual(timers.pending(), []);
  queue.add('ns/a');
  await queue.idle();
  t.deepEqual(timers.pending(), [100], 'backoff starts over');
  t.is(calls, 3);
  await queue.shutdown();
});

test('shutdown waits for running handlers and drops queued and delayed keys', async (t) => {
  const timers = createManualTimers();
  const gate = deferred();
  const started: string[] = [];
  let finished = 0;
  const queue = createWorkQueue({
    timers,
    concurrency: 1,
    handler: async (key) => { started.push(key); await gate.promise; finished++; },
  });
  queue.add('ns/a');
  queue.add('ns/b');
  queue.addAfter('ns/c', 1000);
  await new Promise((r) => setImmediate(r));
  let shutDown = false;
  const shutdown = queue.shutdown().then(() => { shutDown = true; });
  await new Promise((r) => setImmediate(r));
  t.false(shutDown, 'shutdown waits for the running handler');
  gate.resolve();
  await shutdown;
  t.is(finished, 1);
  t.deepEqual(started, ['ns/a'], 'queued keys are dropped');
  t.deepEqual(timers.pending(), [], 'delayed keys are dropped');
  queue.add('ns/d');
  await queue.idle();
  t.deepEqual(started, ['ns/a'], 'adds after shutdown are ignored');
});
