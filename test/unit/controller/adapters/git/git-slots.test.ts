import test from 'ava';
import { createGitSlots } from '../../../../../controller/adapters/git/git-slots.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';

test('a released slot goes to the first waiter, in order', async (t) => {
  const slots = createGitSlots({ limit: 1, maxWaiting: 2, waitMs: 60_000 });
  const first = await slots.acquire();
  const order: number[] = [];
  const second = slots.acquire().then((release) => { order.push(2); return release; });
  const third = slots.acquire().then((release) => { order.push(3); return release; });
  t.deepEqual(slots.usage(), { running: 1, waiting: 2 });
  first();
  first(); // twice: no second slot is freed
  (await second)();
  (await third)();
  t.deepEqual(order, [2, 3]);
  t.deepEqual(slots.usage(), { running: 0, waiting: 0 });
});

test('a full line is refused at once with git_busy (503)', async (t) => {
  const slots = createGitSlots({ limit: 1, maxWaiting: 1, waitMs: 60_000 });
  const release = await slots.acquire();
  const waiting = slots.acquire();
  const error = await t.throwsAsync(slots.acquire());
  t.true(isSlipwayError(error, 'git_busy'));
  release();
  (await waiting)();
});

test('a waiter leaves the line on its signal or after waitMs', async (t) => {
  const slots = createGitSlots({ limit: 1, maxWaiting: 4, waitMs: 50 });
  const release = await slots.acquire();
  const abort = new AbortController();
  const aborted = slots.acquire(abort.signal);
  abort.abort(new Error('client gone'));
  await t.throwsAsync(aborted, { message: 'client gone' });
  t.true(isSlipwayError(await t.throwsAsync(slots.acquire()), 'git_busy'));
  t.deepEqual(slots.usage(), { running: 1, waiting: 0 });
  release();
  t.deepEqual(slots.usage(), { running: 0, waiting: 0 });
});
