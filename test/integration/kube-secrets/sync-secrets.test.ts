/**
 * Secret sync against the fake API: copies of the release namespace's Secrets follow
 * the namespaces that hold Apps, follow their source, and a user's Secret of the same
 * name is never touched.
 */
import test from 'ava';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../../../core/ports/logger.ts';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { APP_CRD } from '../../helpers/kube-server.ts';
import { createSecretSync } from '../../../controller/adapters/kube/secrets/sync-secrets.ts';
import { createResourceWatch } from '../../../controller/adapters/kube/control/watch-resource.ts';
import type { KubernetesObject } from '@kubernetes/client-node';

const SYSTEM = 'slipway-system';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A logger that keeps the error lines (what an operator reads). */
function capturingLogger(errors: string[]): Logger {
  const logger: Logger = { debug() {}, info() {}, warn() {}, error(obj, msg) { errors.push(typeof obj === 'string' ? obj : msg ?? ''); }, child: () => logger };
  return logger;
}

async function setUp(t: import('ava').ExecutionContext, logger: Logger = silentLogger) {
  const kube = await startFakeKube({ crds: [APP_CRD] });
  const kc = kube.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [SYSTEM, 'team', 'other']) await core.createNamespace({ body: { metadata: { name } } });
  await core.createNamespacedSecret({ namespace: SYSTEM, body: { metadata: { name: 'slipway-registry' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } } });
  await core.createNamespacedSecret({ namespace: SYSTEM, body: { metadata: { name: 'slipway-s3' }, data: { AWS_ACCESS_KEY_ID: b64('one'), AWS_SECRET_ACCESS_KEY: b64('s') } } });
  await core.createNamespacedSecret({ namespace: SYSTEM, body: { metadata: { name: 'pull-me' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{"x":{}}}') } } });
  const sync = createSecretSync({ kc, logger, systemNamespace: SYSTEM, names: ['slipway-registry', 'slipway-s3', 'pull-me'], backoff: { initialMs: 20, maxMs: 200 } });
  t.teardown(async () => { await sync.stop(); await kube.close(); });
  return { kube, core, sync, apps: kc.makeApiClient(CustomObjectsApi) };
}

const appBody = (name: string, namespace: string) => ({ apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name, namespace }, spec: { origin: { kind: 'container', image: 'nginx' } } });
const createApp = (apps: CustomObjectsApi, name: string, namespace = 'team') => apps.createNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace, plural: 'apps', body: appBody(name, namespace) });
const deleteApp = (apps: CustomObjectsApi, name: string, namespace = 'team') => apps.deleteNamespacedCustomObject({ group: 'slipway.dev', version: 'v1alpha1', namespace, plural: 'apps', name });
const secret = (kube: FakeKube, namespace: string, name: string) => kube.object('v1', 'Secret', namespace, name) as { data?: Record<string, string>; type?: string; metadata: { labels?: Record<string, string> } } | undefined;

test('copies appear when the first App lands in a namespace, follow their source, and go after the last App leaves', async (t) => {
  const { kube, core, sync, apps } = await setUp(t);
  await sync.start();
  await createApp(apps, 'one');
  await kube.waitFor(() => ['slipway-registry', 'slipway-s3', 'pull-me'].every((n) => secret(kube, 'team', n)));
  t.is(secret(kube, 'team', 'slipway-s3')!.data!.AWS_ACCESS_KEY_ID, b64('one'));
  t.is(secret(kube, 'team', 'pull-me')!.type, 'kubernetes.io/dockerconfigjson');
  t.is(secret(kube, 'other', 'slipway-s3'), undefined, 'a namespace without Apps gets no copy');

  await core.replaceNamespacedSecret({ name: 'slipway-s3', namespace: SYSTEM, body: { metadata: { name: 'slipway-s3', namespace: SYSTEM }, data: { AWS_ACCESS_KEY_ID: b64('two'), AWS_SECRET_ACCESS_KEY: b64('s') } } });
  await kube.waitFor(() => secret(kube, 'team', 'slipway-s3')?.data?.AWS_ACCESS_KEY_ID === b64('two'));

  await createApp(apps, 'two');
  await deleteApp(apps, 'one');
  await sync.idle();
  t.truthy(secret(kube, 'team', 'slipway-s3'), 'the namespace still holds an App');
  await deleteApp(apps, 'two');
  await kube.waitFor(() => ['slipway-registry', 'slipway-s3', 'pull-me'].every((n) => !secret(kube, 'team', n)));
  t.truthy(secret(kube, SYSTEM, 'slipway-s3'), 'the source stays');
});

test('a user\'s Secret of the same name is neither overwritten nor deleted', async (t) => {
  const errors: string[] = [];
  const { kube, core, sync, apps } = await setUp(t, capturingLogger(errors));
  await core.createNamespacedSecret({ namespace: 'team', body: { metadata: { name: 'slipway-s3' }, data: { AWS_ACCESS_KEY_ID: b64('mine') } } });
  await sync.start();
  await createApp(apps, 'one');
  await kube.waitFor(() => secret(kube, 'team', 'slipway-registry'));
  await sync.idle();
  t.deepEqual(secret(kube, 'team', 'slipway-s3')!.data, { AWS_ACCESS_KEY_ID: b64('mine') });
  t.is(errors.length, 1, 'said once, not at every pass');
  t.regex(errors[0]!, /namespace "team" has a Secret "slipway-s3" that Slipway did not create: it is left alone/);
  await deleteApp(apps, 'one');
  await kube.waitFor(() => !secret(kube, 'team', 'slipway-registry'));
  await sync.idle();
  t.deepEqual(secret(kube, 'team', 'slipway-s3')!.data, { AWS_ACCESS_KEY_ID: b64('mine') });
});

test('a copy left in a namespace that lost its Apps while no leader ran is removed at start', async (t) => {
  const { kube, sync, apps } = await setUp(t);
  await sync.start();
  await createApp(apps, 'one');
  await kube.waitFor(() => secret(kube, 'team', 'slipway-s3'));
  await sync.stop();
  await deleteApp(apps, 'one');
  const again = createSecretSync({ kc: kube.kubeConfig(), logger: silentLogger, systemNamespace: SYSTEM, names: ['slipway-registry', 'slipway-s3', 'pull-me'] });
  t.teardown(() => again.stop());
  await again.start();
  await kube.waitFor(() => !secret(kube, 'team', 'slipway-s3'));
  t.pass();
});

test('with the cache\'s App watch shared and already listed, Apps it holds count, and stopping the sync leaves the watch running', async (t) => {
  const kube = await startFakeKube({ crds: [APP_CRD] });
  const kc = kube.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(CustomObjectsApi);
  for (const name of [SYSTEM, 'team']) await core.createNamespace({ body: { metadata: { name } } });
  await core.createNamespacedSecret({ namespace: SYSTEM, body: { metadata: { name: 'slipway-s3' }, data: { AWS_ACCESS_KEY_ID: b64('one') } } });
  await createApp(apps, 'one');
  const watch = createResourceWatch<KubernetesObject>({ kc, path: '/apis/slipway.dev/v1alpha1/apps', logger: silentLogger, backoff: { initialMs: 20, maxMs: 200 } });
  await watch.start();
  const sync = createSecretSync({ kc, logger: silentLogger, systemNamespace: SYSTEM, names: ['slipway-s3'], backoff: { initialMs: 20, maxMs: 200 }, apps: watch });
  t.teardown(async () => { await sync.stop(); await watch.stop(); await kube.close(); });
  await sync.start();
  await kube.waitFor(() => secret(kube, 'team', 'slipway-s3'));
  await sync.stop();
  await createApp(apps, 'two');
  await kube.waitFor(() => watch.get('team', 'two'));
  t.pass();
});
