import test from 'ava';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWriteProbe } from '../../../../../controller/adapters/state/write-probe.ts';
import { makeTempDir } from '../../../../helpers/temp-dir.ts';

test('the probe leaves nothing behind, and its answer is reused for ttlMs', async (t) => {
  const { dir, cleanup } = await makeTempDir();
  t.teardown(cleanup);
  let now = 0;
  const target = join(dir, 'state');
  const probe = createWriteProbe({ dir: target, ttlMs: 1000, now: () => now });
  t.is(await probe.problem(), undefined);
  t.deepEqual(await readdir(target), []);
  // A file where the folder should be: not writable, seen only once the answer expires.
  await rm(target, { recursive: true });
  await writeFile(target, 'x');
  t.is(await probe.problem(), undefined, 'cached');
  now = 1000;
  t.truthy((await probe.problem())?.reason);
});
