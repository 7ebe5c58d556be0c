/**
 * The behaviour every StateStore must have, as one table of tests. The file store runs
 * it now; the Kubernetes CRD store runs the same table against the fake API server.
 */
import type { TestFn } from 'ava';
import type { StateStore } from '../../core/ports/state-store.ts';
import type { App } from '../../core/types.ts';
import { isSlipwayError } from '../../core/errors.ts';

const newApp = (namespace: string, name: string): Pick<App, 'metadata' | 'spec'> => ({
  metadata: { namespace, name, resourceVersion: '', generation: 0, createdAt: '' },
  spec: { instances: 1, env: {}, routes: [] },
});

/** Registers the contract tests under `title` for stores made by `make` (a fresh, empty store each time). */
export function stateStoreContract(test: TestFn, title: string, make: () => Promise<StateStore>): void {
  test(`${title}: namespaces are created once and listed`, async (t) => {
    const store = await make();
    await store.createNamespace('team-a');
    const error = await t.throwsAsync(store.createNamespace('team-a'));
    t.true(isSlipwayError(error, 'namespace_exists'));
    t.deepEqual((await store.listNamespaces()).map((n) => n.name), ['team-a']);
    t.is((await store.getNamespace('team-a'))?.name, 'team-a');
    t.is(await store.getNamespace('nope'), undefined);
  });

  test(`${title}: apps need their namespace and unique names`, async (t) => {
    const store = await make();
    t.true(isSlipwayError(await t.throwsAsync(store.createApp(newApp('missing', 'web'))), 'namespace_not_found'));
    await store.createNamespace('ns');
    const created = await store.createApp(newApp('ns', 'web'));
    t.is(created.metadata.generation, 1);
    t.truthy(created.metadata.resourceVersion);
    t.truthy(created.metadata.createdAt);
    t.true(isSlipwayError(await t.throwsAsync(store.createApp(newApp('ns', 'web'))), 'app_exists'));
    t.deepEqual((await store.listApps('ns')).map((a) => a.metadata.name), ['web']);
    t.true(isSlipwayError(await t.throwsAsync(store.listApps('missing')), 'namespace_not_found'));
  });

  test(`${title}: updates bump resourceVersion, and generation only on spec changes`, async (t) => {
    const store = await make();
    await store.createNamespace('ns');
    const v1 = await store.createApp(newApp('ns', 'web'));
    const v2 = await store.updateApp('ns', 'web', (app) => ({ ...app, status: { ...app.status, observedGeneration: 1 } }));
    t.not(v2.metadata.resourceVersion, v1.metadata.resourceVersion);
    t.is(v2.metadata.generation, 1);
    const v3 = await store.updateApp('ns', 'web', (app) => ({ ...app, spec: { ...app.spec, instances: 3 } }));
    t.is(v3.metadata.generation, 2);
    t.is((await store.getApp('ns', 'web'))?.spec.instances, 3);
    t.true(isSlipwayError(await t.throwsAsync(store.updateApp('ns', 'nope', (a) => a)), 'app_not_found'));
  });

  test(`${title}: concurrent updates of one app lose no write`, async (t) => {
    const store = await make();
    await store.createNamespace('ns');
    await store.createApp(newApp('ns', 'web'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.updateApp('ns', 'web', (app) => ({
      ...app, spec: { ...app.spec, env: { ...app.spec.env, [`K${i}`]: String(i) } },
    }))));
    t.is(Object.keys((await store.getApp('ns', 'web'))!.spec.env).length, 20);
  });

  test(`${title}: deleting an app and a namespace`, async (t) => {
    const store = await make();
    await store.createNamespace('ns');
    await store.createApp(newApp('ns', 'web'));
    await store.deleteApp('ns', 'web');
    t.is(await store.getApp('ns', 'web'), undefined);
    t.true(isSlipwayError(await t.throwsAsync(store.deleteApp('ns', 'web')), 'app_not_found'));
    await store.createApp(newApp('ns', 'api'));
    await store.deleteNamespace('ns');
    t.is(await store.getNamespace('ns'), undefined);
    t.true(isSlipwayError(await t.throwsAsync(store.deleteNamespace('ns')), 'namespace_not_found'));
  });
}
