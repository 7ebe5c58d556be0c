import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { indexPack } from '../../../../../controller/adapters/git/pack-index.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';
import { createWorkRepo, type WorkRepo } from '../../../../helpers/git-repo.ts';

let work: WorkRepo;
let packPath: string;

test.before(async () => {
  work = await createWorkRepo();
  // Two close versions of a 300 KB file, so that `git repack` stores one as a delta.
  const content = randomBytes(300_000);
  await work.write({ 'big.bin': content, 'small.txt': 'small\n' });
  await work.commit('one');
  content.write('changed', 1000);
  await work.write({ 'big.bin': Buffer.concat([content, Buffer.from('more')]) });
  await work.commit('two');
  await work.git('repack', '-a', '-d', '-q', '--depth=10');
  const dir = join(work.dir, '.git', 'objects', 'pack');
  packPath = join(dir, (await readdir(dir)).find((name) => name.endsWith('.pack'))!);
});

test.after.always(async () => {
  await work?.cleanup();
});

test('an object larger than the cap is refused as too_large before it is inflated', async (t) => {
  const error = await t.throwsAsync(indexPack(packPath, { maxObjectBytes: 100_000 }));
  t.true(isSlipwayError(error, 'too_large'), String(error));
  t.regex(error!.message, /SLIPWAY_MAX_UNPACKED_BYTES/);
});

test('sizeOf gives every object\'s size without reading it, deltas included', async (t) => {
  const pack = await indexPack(packPath, { maxObjectBytes: 1_000_000 });
  t.teardown(() => pack.close());
  const blobs = pack.oidsOfType('blob');
  t.is(blobs.length, 3);
  for (const oid of [...blobs, ...pack.oidsOfType('tree'), ...pack.oidsOfType('commit')]) {
    t.is(pack.sizeOf(oid), pack.read(oid)!.data.length, oid);
  }
  t.is(pack.sizeOf('0'.repeat(40)), undefined);
});

test('a pack too large to be held in memory is read from disk, deltas included', async (t) => {
  const large = await createWorkRepo();
  t.teardown(() => large.cleanup());
  const content = randomBytes(1_500_000);
  await large.write({ 'big.bin': content });
  await large.commit('one');
  const changed = Buffer.concat([content, Buffer.from('more')]);
  await large.write({ 'big.bin': changed });
  await large.commit('two');
  await large.git('repack', '-a', '-d', '-q', '--depth=10');
  const dir = join(large.dir, '.git', 'objects', 'pack');
  const pack = await indexPack(join(dir, (await readdir(dir)).find((name) => name.endsWith('.pack'))!));
  t.teardown(() => pack.close());
  t.true(pack.read(await large.git('rev-parse', 'HEAD~1:big.bin'))!.data.equals(content));
  t.true(pack.read(await large.git('rev-parse', 'HEAD:big.bin'))!.data.equals(changed));
});
