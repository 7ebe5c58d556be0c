import test from 'ava';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { apiFailure } from '../../helpers/fake-kube/api-failure.ts';

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube(); });
test.after.always(async () => { await kube.close(); });

test('faults.fail answers the next matching requests with the status, then recovers', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  kube.faults.fail({ times: 2, status: 503, match: (r) => r.path.endsWith('/secrets') });
  t.is((await apiFailure(core.listNamespacedSecret({ namespace: 'default' }))).code, 503);
  await t.notThrowsAsync(core.listNamespacedConfigMap({ namespace: 'default' }));
  t.is((await apiFailure(core.listNamespacedSecret({ namespace: 'default' }))).code, 503);
  await t.notThrowsAsync(core.listNamespacedSecret({ namespace: 'default' }));
});

test('faults.conflicts answers the next writes with 409 Conflict; a retry succeeds', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'conflicted' } } });
  kube.faults.conflicts({ times: 1, match: (r) => r.path.endsWith('/conflicted') });
  const patch = () => core.patchNamespacedConfigMap({ namespace: 'default', name: 'conflicted', body: { data: { a: '1' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  t.like(await apiFailure(patch()), { code: 409, reason: 'Conflict' });
  t.deepEqual((await patch()).data, { a: '1' });
});

test('faults.latency delays responses; requests are recorded with fieldManager and body', async (t) => {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  kube.faults.latency(150);
  const started = performance.now();
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'slow' } }, fieldManager: 'slipway' });
  t.true(performance.now() - started >= 140);
  kube.faults.latency(0);
  const recorded = kube.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/configmaps' && r.fieldManager === 'slipway');
  t.like(recorded, { contentType: 'application/json', body: { metadata: { name: 'slow' } } });
});
