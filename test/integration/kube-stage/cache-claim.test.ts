import test from 'ava';
import { ensureCacheClaim } from '../../../controller/adapters/kube/runtime/stage/ensure-cache-claim.ts';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';

const claimRequests = (kube: Awaited<ReturnType<typeof startFakeKube>>) =>
  kube.requests.filter((r) => r.path.includes('/persistentvolumeclaims')).map((r) => `${r.method} ${r.path.replace('/api/v1/namespaces/default/', '')}`);

test('the cache claim is created with one request, and an existing one costs one refused create', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const kc = kube.kubeConfig();
  t.is(await ensureCacheClaim(kc, 'default', 'web', '1Gi'), 'web-cache');
  t.truthy(kube.object('v1', 'PersistentVolumeClaim', 'default', 'web-cache'));
  t.deepEqual(claimRequests(kube), ['POST persistentvolumeclaims']);
  t.is(await ensureCacheClaim(kc, 'default', 'web', '1Gi'), 'web-cache');
  t.deepEqual(claimRequests(kube), ['POST persistentvolumeclaims', 'POST persistentvolumeclaims'], 'AlreadyExists means there: no read');
});

test('a create refused for another reason (a quota on claims) still finds the existing claim; a missing one fails', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const kc = kube.kubeConfig();
  await ensureCacheClaim(kc, 'default', 'web', '1Gi');
  kube.faults.fail({ times: 2, status: 403, match: (r) => r.method === 'POST' && r.path.endsWith('/persistentvolumeclaims') });
  t.is(await ensureCacheClaim(kc, 'default', 'web', '1Gi'), 'web-cache');
  await t.throwsAsync(ensureCacheClaim(kc, 'default', 'api', '1Gi'), { message: /creating PersistentVolumeClaim default\/api-cache/ });
});
