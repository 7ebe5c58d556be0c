import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
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

const spec = { instances: 1, env: {}, routes: [] };
const meta = (name: string) => ({ namespace: 'ns', name, resourceVersion: '', generation: 0, createdAt: '' });

test('an app file that does not parse is moved aside and listed as needing attention; the others carry on', async (t) => {
  const { dir, store } = await freshStore();
  await store.createNamespace('ns');
  await store.createApp({ metadata: meta('good'), spec });
  await store.createApp({ metadata: meta('bad'), spec });
  const bad = join(dir, 'namespaces', 'ns', 'apps', 'bad.json');
  await writeFile(bad, '{"metadata": {"name": "ba');
  const apps = await store.listApps('ns');
  t.deepEqual(apps.map((a) => a.metadata.name), ['bad', 'good']);
  const ready = apps[0]!.status.conditions?.find((c) => c.type === 'Ready');
  t.is(ready?.status, 'False');
  t.is(ready?.reason, 'StateCorrupt');
  t.true(ready!.message.includes(`${bad}.corrupt`));
  t.deepEqual((await readdir(join(dir, 'namespaces', 'ns', 'apps'))).sort(), ['bad.json.corrupt', 'good.json']);
  t.is(await readFile(`${bad}.corrupt`, 'utf8'), '{"metadata": {"name": "ba', 'the bad content is kept as it was');
  // Nothing writes over it; deleting the app is how its owner clears it.
  t.true(isSlipwayError(await t.throwsAsync(store.updateApp('ns', 'bad', (a) => a)), 'state_corrupt'));
  t.true(isSlipwayError(await t.throwsAsync(store.createApp({ metadata: meta('bad'), spec })), 'state_corrupt'));
  await store.deleteApp('ns', 'bad');
  t.deepEqual((await store.listApps('ns')).map((a) => a.metadata.name), ['good']);
});

test('JSON of the wrong shape (null, no metadata) counts as corrupt too', async (t) => {
  const { dir, store } = await freshStore();
  await store.createNamespace('ns');
  await writeFile(join(dir, 'namespaces', 'ns', 'apps', 'nul.json'), 'null');
  t.is((await store.getApp('ns', 'nul'))?.status.conditions?.[0]?.reason, 'StateCorrupt');
});

test('a namespace file that does not parse is moved aside and made again, its apps still there', async (t) => {
  const { dir, store } = await freshStore();
  await store.createNamespace('ns');
  await store.createApp({ metadata: meta('web'), spec });
  await writeFile(join(dir, 'namespaces', 'ns', 'namespace.json'), '');
  t.deepEqual((await store.listNamespaces()).map((n) => n.name), ['ns']);
  t.deepEqual((await store.listApps('ns')).map((a) => a.metadata.name), ['web']);
  t.deepEqual((await readdir(join(dir, 'namespaces', 'ns'))).sort(), ['apps', 'namespace.json', 'namespace.json.corrupt']);
});
