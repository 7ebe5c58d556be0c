import test from 'ava';
import { applyEnvSecret } from '../../../controller/adapters/kube/runtime/env-secret.ts';
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
