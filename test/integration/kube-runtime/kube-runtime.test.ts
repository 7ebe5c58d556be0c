import test from 'ava';
import { CoreV1Api } from '@kubernetes/client-node';
import { silentLogger } from '../../../core/ports/logger.ts';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';
import { createKubeRuntime } from '../../../controller/adapters/kube/runtime/create-kube-runtime.ts';
import { CRD_FILE, createApp } from '../kube-deploy/deploy-fixture.ts';

const SYSTEM = 'slipway-system';
const NS = 'team';

async function setUp(t: import('ava').ExecutionContext) {
  const kube = await startFakeKube({ crds: [CRD_FILE], autoJobs: 'complete' });
  t.teardown(() => kube.close());
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of [SYSTEM, NS]) await core.createNamespace({ body: { metadata: { name } } });
  await core.createNamespacedSecret({ namespace: SYSTEM, body: { metadata: { name: 'slipway-registry' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') } } });
  await core.createNamespacedSecret({ namespace: SYSTEM, body: { metadata: { name: 'slipway-s3' }, data: { AWS_ACCESS_KEY_ID: 'a2V5', AWS_SECRET_ACCESS_KEY: 'c2VjcmV0' } } });
  const runtime = createKubeRuntime({
    kc: kube.kubeConfig(), logger: silentLogger,
    settings: {
      systemNamespace: SYSTEM, image: 'ghcr.io/slipway-dev/slipway:0.1.0', registry: 'registry.local:5000', registrySecret: 'slipway-registry', s3Secret: 'slipway-s3',
      builderImage: 'paketobuildpacks/builder-jammy-full:latest', stage: { cpu: '1', memory: '2Gi', cacheSize: '1Gi', ttlSeconds: 600 }, buildTimeoutMs: 60_000,
      blob: { bucket: 'slipway', region: 'us-east-1', forcePathStyle: true },
      ingressClass: 'traefik', rolloutTimeoutMs: 10_000,
    },
  });
  return { kube, runtime };
}

test('the Kubernetes runtime stages into a Job, deploys the image it built, reports status and deletes it all', async (t) => {
  const { kube, runtime } = await setUp(t);
  t.is(runtime.kind, 'kubernetes');
  await createApp(kube, 'web');
  const staged = await runtime.stage({ namespace: NS, app: 'web', stageId: 's-1', blobuid: 'b-1', env: { A: '1' } });
  t.is(staged.image, 'registry.local:5000/team/web:s-1');
  const out = await runtime.deploy({ namespace: NS, app: 'web', stageId: staged.stageId, image: staged.image, instances: 1, env: { A: '1' }, routes: ['web.example.com'] });
  t.deepEqual(out.urls, ['http://web.example.com/']);
  const deployment = kube.object('apps/v1', 'Deployment', NS, 'web') as unknown as { spec: { template: { spec: { containers: { image: string }[]; imagePullSecrets: { name: string }[] } } } };
  t.is(deployment.spec.template.spec.containers[0]!.image, staged.image);
  // The copy the stage made is what the kubelet pulls with.
  t.truthy(kube.object('v1', 'Secret', NS, deployment.spec.template.spec.imagePullSecrets[0]!.name));
  t.like(await runtime.status(NS, 'web'), { phase: 'running', stageId: 's-1', desired: 1, ready: 1 });
  t.deepEqual(kube.rejections, []);
  await runtime.delete(NS, 'web');
  t.like(await runtime.status(NS, 'web'), { phase: 'absent' });
  t.deepEqual(kube.objects('batch/v1', 'Job', NS).map((j) => j.metadata.name), []);
  t.deepEqual(kube.objects('v1', 'PersistentVolumeClaim', NS).map((j) => j.metadata.name), []);
});
