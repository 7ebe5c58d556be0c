/**
 * Webhook secrets kept in Kubernetes Secrets, against the fake API server.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { createKubeSecretStore, webhookSecretName } from '../../../controller/adapters/kube/state/kube-secret-store.ts';
import { createKubeStateStore } from '../../../controller/adapters/kube/state/kube-state-store.ts';
import { systemClock } from '../../../core/ports/clock.ts';
import { isSlipwayError } from '../../../core/errors.ts';

const CRD = fileURLToPath(new URL('../../../charts/slipway/crds/apps.slipway.dev.yaml', import.meta.url));
const started: FakeKube[] = [];
test.after.always(() => Promise.all(started.map((k) => k.close())));

async function setup() {
  const kube = await startFakeKube({ crds: [CRD] });
  started.push(kube);
  const state = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock });
  await state.createNamespace('team-a');
  await state.createApp({ metadata: { namespace: 'team-a', name: 'web', resourceVersion: '', generation: 0, createdAt: '' }, spec: { instances: 1, env: {}, routes: [] } });
  return { kube, state, secrets: createKubeSecretStore({ kc: kube.kubeConfig() }) };
}

test('the webhook secret is made once, on first use, and stays the same', async (t) => {
  const { kube, secrets } = await setup();
  t.is(await secrets.webhookSecret('team-a', 'web'), undefined);
  const made = await secrets.ensureWebhookSecret('team-a', 'web');
  t.regex(made, /^[0-9a-f]{64}$/);
  t.is(await secrets.ensureWebhookSecret('team-a', 'web'), made);
  t.is(await secrets.webhookSecret('team-a', 'web'), made);
  t.is(await createKubeSecretStore({ kc: kube.kubeConfig() }).webhookSecret('team-a', 'web'), made, 'another replica reads the same');
  t.is(kube.objects('v1', 'Secret', 'team-a').length, 1);
});

test('the Secret is labelled as the app\'s, keyed webhook-secret, and owned by the App', async (t) => {
  const { kube, secrets } = await setup();
  const made = await secrets.ensureWebhookSecret('team-a', 'web');
  const secret = kube.object('v1', 'Secret', 'team-a', 'web-slipway-webhook');
  const app = kube.object('slipway.dev/v1alpha1', 'App', 'team-a', 'web');
  t.is(Buffer.from((secret?.data as Record<string, string>)['webhook-secret']!, 'base64').toString(), made);
  t.like(secret?.metadata.labels, { 'app.kubernetes.io/managed-by': 'slipway', 'slipway.dev/app': 'web', 'app.kubernetes.io/component': 'secret' });
  t.like(secret?.metadata.ownerReferences?.[0], { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', name: 'web', uid: app?.metadata.uid, controller: true });
  t.deepEqual(kube.rejections, [], 'the Secret passes Kubernetes\' schema');
});

test('replicas racing to make the secret all end up with the same one', async (t) => {
  const { kube } = await setup();
  const stores = [createKubeSecretStore({ kc: kube.kubeConfig() }), createKubeSecretStore({ kc: kube.kubeConfig() })];
  const got = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.ensureWebhookSecret('team-a', 'web')));
  t.is(new Set(got).size, 1);
  t.true(kube.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/secrets')).length > 1, 'the creates did race');
  t.is(await stores[0]!.webhookSecret('team-a', 'web'), got[0]);
});

test('deleting the App deletes its Secret (owner reference, garbage collection)', async (t) => {
  const { kube, state, secrets } = await setup();
  await secrets.ensureWebhookSecret('team-a', 'web');
  await state.deleteApp('team-a', 'web');
  await kube.waitFor(() => kube.object('v1', 'Secret', 'team-a', 'web-slipway-webhook') === undefined, { timeoutMs: 5000 });
  t.is(await secrets.webhookSecret('team-a', 'web'), undefined);
});

test('deleteSecrets forgets the secret, and is a no-op the second time', async (t) => {
  const { secrets } = await setup();
  const first = await secrets.ensureWebhookSecret('team-a', 'web');
  await secrets.deleteSecrets('team-a', 'web');
  await secrets.deleteSecrets('team-a', 'web');
  t.is(await secrets.webhookSecret('team-a', 'web'), undefined);
  t.not(await secrets.ensureWebhookSecret('team-a', 'web'), first, 'a new secret is made next time');
});

test('an app without an App resource still gets a secret (without an owner), a missing namespace an error', async (t) => {
  const { kube, secrets } = await setup();
  await secrets.ensureWebhookSecret('team-a', 'api');
  t.is(kube.object('v1', 'Secret', 'team-a', 'api-slipway-webhook')?.metadata.ownerReferences, undefined);
  t.true(isSlipwayError(await t.throwsAsync(secrets.ensureWebhookSecret('nowhere', 'web')), 'namespace_not_found'));
});

test('transient API failures are retried', async (t) => {
  const { kube, secrets } = await setup();
  kube.faults.fail({ times: 2, match: (req) => req.method === 'POST' && req.path.endsWith('/secrets') });
  const made = await secrets.ensureWebhookSecret('team-a', 'web');
  kube.faults.fail({ times: 2, status: 503, match: (req) => req.method === 'GET' && req.path.endsWith('/web-slipway-webhook') });
  t.is(await secrets.webhookSecret('team-a', 'web'), made);
});

test('Secret names stay within Kubernetes\' limits for the longest app names', (t) => {
  t.is(webhookSecretName('a'.repeat(63)).length, 63 + '-slipway-webhook'.length);
  t.true(isSlipwayError(t.throws(() => webhookSecretName('Bad_Name')), 'invalid_name'));
});
