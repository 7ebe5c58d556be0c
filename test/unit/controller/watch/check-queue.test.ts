import test from 'ava';
import { createCheckQueue, type CheckReason } from '../../../../controller/watch/check-queue.ts';

function gatedQueue(concurrency: number, maxQueued = 100) {
  const started: [string, CheckReason][] = [];
  const gates: (() => void)[] = [];
  let running = 0;
  let peak = 0;
  const queue = createCheckQueue({
    concurrency, maxQueued, onError: () => {},
    work: async (key, reason) => {
      started.push([key, reason]);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
    },
  });
  const openAll = async () => {
    while (gates.length) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { queue, started, openAll, peak: () => peak };
}

test('requests for an app waiting for a slot merge into one check', async (t) => {
  const { queue, started, openAll } = gatedQueue(1);
  const first = queue.add('ns/a', 'poll');
  const waits = Array.from({ length: 100 }, () => queue.add('ns/b', 'poll'));
  queue.add('ns/b', 'webhook');
  await openAll();
  await Promise.all([first, ...waits]);
  t.deepEqual(started, [['ns/a', 'poll'], ['ns/b', 'webhook']]);
});

test('a request during a running check runs exactly one more check after it', async (t) => {
  const { queue, started, openAll } = gatedQueue(2);
  void queue.add('ns/a', 'poll');
  await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 50; i += 1) void queue.add('ns/a', 'webhook');
  await openAll();
  await queue.idle();
  t.deepEqual(started, [['ns/a', 'poll'], ['ns/a', 'webhook']]);
});

test('concurrency is bounded and every app is checked', async (t) => {
  const { queue, started, openAll, peak } = gatedQueue(3, 1000);
  const all = Array.from({ length: 40 }, (_, i) => queue.add(`ns/app${i}`, 'poll'));
  await openAll();
  await Promise.all(all);
  t.is(started.length, 40);
  t.is(peak(), 3);
});

test('a full queue refuses new apps but still merges known ones', (t) => {
  const { queue } = gatedQueue(1, 2);
  t.truthy(queue.add('ns/a', 'poll'));
  t.truthy(queue.add('ns/b', 'poll'));
  t.truthy(queue.add('ns/c', 'poll'));
  t.is(queue.add('ns/d', 'poll'), undefined);
  t.truthy(queue.add('ns/c', 'webhook'));
  t.is(queue.queued(), 2);
});
