/**
 * The Secret sync as the server runs it (leader only): an app created through the API
 * brings the registry, S3 and image pull Secrets into its namespace before any build,
 * and deleting the namespace's last app takes them away.
 */
import test from 'ava';
import { startKubeWorld } from '../helpers/kube-server.ts';

test('the leader copies the system Secrets into a namespace when its first app is created, and removes them with the last', async (t) => {
  const w = await startKubeWorld();
  t.teardown(() => w.close());
  await w.kube.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull-me', namespace: 'slipway-system' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') } });
  const server = await w.server({ SLIPWAY_IMAGE_PULL_SECRETS: 'pull-me' });
  const names = ['slipway-registry', 'slipway-s3', 'pull-me'];
  const copies = () => names.filter((n) => w.kube.object('v1', 'Secret', 'workspace', n));
  t.deepEqual(copies(), []);
  const created = await server.request('POST', '/api/v1/namespaces/workspace/applications', { name: 'web' });
  t.is(created.status, 201);
  await w.kube.waitFor(() => copies().length === names.length);
  t.is((w.kube.object('v1', 'Secret', 'workspace', 'slipway-s3') as any).metadata.annotations['slipway.dev/copied-from'], 'slipway-system/slipway-s3');
  t.is((await server.request('DELETE', '/api/v1/namespaces/workspace/applications/web')).status, 200);
  await w.kube.waitFor(() => copies().length === 0);
  t.pass();
});
