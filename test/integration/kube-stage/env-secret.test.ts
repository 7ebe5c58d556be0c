import test from 'ava';
import { applyEnvSecret } from '../../../controller/adapters/kube/runtime/env-secret.ts';
import { kubeRequest } from '../../../controller/adapters/kube/control/kube-request.ts';
import { registerCacheLookups } from '../../../controller/adapters/kube/cache/cache-lookups.ts';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';
import type { Loose } from './stage-fixture.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const owner = { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true };

test('the env Secret holds exactly the app env, applied by slipway', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const kc = kube.kubeConfig();
  t.is(await applyEnvSecret(kc, 'default', 'web', { A: '1', DATABASE_URL: 'postgres://x' }, owner), 'web-env');
  const secret = kube.object('v1', 'Secret', 'default', 'web-env') as Loose;
  t.is(secret.type, 'Opaque');
  t.deepEqual(secret.data, { A: b64('1'), DATABASE_URL: b64('postgres://x') });
  t.like(secret.metadata.labels, { 'slipway.dev/app': 'web', 'app.kubernetes.io/component': 'secret', 'app.kubernetes.io/managed-by': 'slipway' });
  t.deepEqual(secret.metadata.ownerReferences?.map((o) => o.uid), ['uid-web']);
  const apply = kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/secrets/web-env'));
  t.is(apply?.contentType, 'application/apply-patch+yaml');
  t.is(apply?.fieldManager, 'slipway');
  t.deepEqual(kube.rejections, []);

  await applyEnvSecret(kc, 'default', 'web', { DATABASE_URL: 'postgres://y' }, owner);
  t.deepEqual((kube.object('v1', 'Secret', 'default', 'web-env') as Loose).data, { DATABASE_URL: b64('postgres://y') }, 'a removed key is gone');
});

test('a variable name that is not an env name is refused', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  await t.throwsAsync(applyEnvSecret(kube.kubeConfig(), 'default', 'web', { 'BAD-NAME': 'x' }), { code: 'invalid_request', message: /BAD-NAME/ } as never);
});

test('an env Secret the cache holds as it would be applied is not applied again; any difference is applied', async (t) => {
  const kube = await startFakeKube();
  t.teardown(() => kube.close());
  const kc = kube.kubeConfig();
  await applyEnvSecret(kc, 'default', 'web', { A: '1' }, owner);
  // What the Secret cache would hold: the object as the API server has it.
  registerCacheLookups(kc, { slipwaySecret: (namespace, name) => kube.object('v1', 'Secret', namespace, name) as never });
  const applies = () => kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/secrets/web-env')).length;
  await applyEnvSecret(kc, 'default', 'web', { A: '1' }, owner);
  t.is(applies(), 1, 'unchanged: no second apply');
  await applyEnvSecret(kc, 'default', 'web', { A: '2' }, owner);
  t.is(applies(), 2, 'a changed value is applied');
  t.deepEqual((kube.object('v1', 'Secret', 'default', 'web-env') as Loose).data, { A: b64('2') });
  await applyEnvSecret(kc, 'default', 'web', { A: '2' }, { ...owner, uid: 'uid-web-2' });
  t.is(applies(), 3, 'a new owner (the App made again) is applied');
  await kubeRequest(kc, { method: 'DELETE', path: '/api/v1/namespaces/default/secrets/web-env' });
  await applyEnvSecret(kc, 'default', 'web', { A: '2' }, { ...owner, uid: 'uid-web-2' });
  t.is(applies(), 4, 'a Secret deleted by hand is made again');
  t.truthy(kube.object('v1', 'Secret', 'default', 'web-env'));
});
