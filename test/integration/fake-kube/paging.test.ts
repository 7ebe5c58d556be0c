import test from 'ava';
import { CoreV1Api } from '@kubernetes/client-node';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';

const names = ['a', 'b', 'c', 'd', 'e'];

test('with paging, a list honours limit and continue: pages in order, the first page\'s resourceVersion on each, nothing missed', async (t) => {
  const kube = await startFakeKube({ paging: true });
  t.teardown(() => kube.close());
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of [...names].reverse()) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { a: name } } });
  const pages: string[][] = [];
  const versions = new Set<string>();
  let token: string | undefined;
  do {
    const page = await core.listNamespacedConfigMap({ namespace: 'default', limit: 2, _continue: token });
    pages.push(page.items.map((i) => i.metadata!.name!));
    versions.add(page.metadata!.resourceVersion!);
    token = page.metadata?._continue;
    if (token) t.is(page.metadata?.remainingItemCount, names.length - pages.flat().length);
  } while (token);
  t.deepEqual(pages, [['a', 'b'], ['c', 'd'], ['e']]);
  t.is(versions.size, 1);
  // A label selector pages over the matching objects only.
  const selected = await core.listNamespacedConfigMap({ namespace: 'default', limit: 10, labelSelector: 'missing=label' });
  t.deepEqual(selected.items, []);
  t.is(selected.metadata?._continue, undefined);
});

test('without paging (the default), a list with limit is complete, as the tests rely on', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of names) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
  const page = await core.listNamespacedConfigMap({ namespace: 'default', limit: 2 });
  t.deepEqual(page.items.map((i) => i.metadata!.name), names);
  t.is(page.metadata?._continue, undefined);
});
