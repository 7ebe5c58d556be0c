import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileStateStore } from '../../../../../controller/adapters/state/file-state-store.ts';
import { systemClock } from '../../../../../core/ports/clock.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';
import { stateStoreContract } from '../../../../helpers/state-store-contract.ts';
import { makeTempDir } from '../../../../helpers/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];
test.after.always(() => Promise.all(cleanups.map((c) => c())));

async function freshStore(dir?: string) {
  const temp = await makeTempDir();
  cleanups.push(temp.cleanup);
  return { dir: dir ?? temp.dir, store: createFileStateStore({ dir: dir ?? temp.dir, clock: systemClock }) };
}

stateStoreContract(test, 'file store', async () => (await freshStore()).store);

test('state survives a new store on the same folder (a restart)', async (t) => {
  const { dir, store } = await freshStore();
  await store.createNamespace('ns');
  await store.createApp({ metadata: { namespace: 'ns', name: 'web', resourceVersion: '', generation: 0, createdAt: '' }, spec: { instances: 2, env: { A: '1' }, routes: [] } });
  const again = createFileStateStore({ dir, clock: systemClock });
  t.deepEqual((await again.getApp('ns', 'web'))?.spec, { instances: 2, env: { A: '1' }, routes: [] });
});

test('writes leave no temp files and valid JSON behind', async (t) => {
  const { dir, store } = await freshStore();
  await store.createNamespace('ns');
  await store.createApp({ metadata: { namespace: 'ns', name: 'web', resourceVersion: '', generation: 0, createdAt: '' }, spec: { instances: 1, env: {}, routes: [] } });
  await Promise.all(Array.from({ length: 10 }, () => store.updateApp('ns', 'web', (a) => a)));
  const files = await readdir(join(dir, 'namespaces', 'ns', 'apps'));
  t.deepEqual(files, ['web.json']);
  t.is(JSON.parse(await readFile(join(dir, 'namespaces', 'ns', 'apps', 'web.json'), 'utf8')).metadata.name, 'web');
});

test('names that are not DNS labels never become paths', async (t) => {
  const { store } = await freshStore();
  t.true(isSlipwayError(await t.throwsAsync(store.getApp('ns', '../../etc')), 'invalid_name'));
  t.true(isSlipwayError(await t.throwsAsync(store.createNamespace('../x')), 'invalid_name'));
});
