import test from 'ava';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { buildDeployment } from '../../../controller/adapters/kube/runtime/deploy/build-deployment.ts';
import { buildService } from '../../../controller/adapters/kube/runtime/deploy/build-service.ts';
import { buildIngresses } from '../../../controller/adapters/kube/runtime/deploy/build-ingresses.ts';
import { buildStageJob } from '../../../controller/adapters/kube/runtime/stage/build-stage-job.ts';
import { buildCacheClaim } from '../../../controller/adapters/kube/runtime/stage/ensure-cache-claim.ts';
import type { KubeStagerSettings } from '../../../controller/adapters/kube/runtime/stage/stage-settings.ts';

// What Slipway's builders make, at the edges of what Slipway accepts (63-character app
// names, several routes, TLS), passes kube-apiserver's semantic validation as the fake has it.

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube({ autoRollout: false }); });
test.after.always(async () => { await kube.close(); });

const longApp = `a${'b'.repeat(61)}c`;
const settings = {
  systemNamespace: 'slipway-system', image: 'ghcr.io/slipway/slipway:1.2.3', registry: 'registry.example.com:5000/apps',
  registrySecret: 'slipway-registry', s3Secret: 'slipway-s3', builderImage: 'paketobuildpacks/builder-jammy-full:latest',
  stage: { cpu: '500m', memory: '1Gi', cpuLimit: '2', memoryLimit: '4Gi', nodeSelector: {}, cacheSize: '5Gi', ttlSeconds: 3600 },
  buildTimeoutMs: 900_000, blob: { bucket: 'sources', region: 'us-east-1', forcePathStyle: true },
} as KubeStagerSettings;

const accepted = test.macro({
  async exec(t, make: (app: string) => object[]) {
    const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
    for (const app of ['web', longApp]) {
      for (const object of make(app)) await t.notThrowsAsync(client.create(object as KubernetesObject), JSON.stringify(object).slice(0, 200));
    }
  },
  title: (title) => `Slipway's ${title} is accepted`,
});

test('Deployment', accepted, (app) => [buildDeployment({
  namespace: 'default', app, stageId: 'lz3k9f2a1b2c3d4', image: 'registry.example.com/default-web:lz3k9f2a1b2c3d4', instances: 2,
  envSecret: `${app}-env`, registrySecret: 'slipway-registry', progressDeadlineSeconds: 600,
})]);
test('Service', accepted, (app) => [buildService('default', app)]);
test('Ingresses (several routes, TLS)', accepted, (app) => buildIngresses({
  namespace: 'default', app, routes: [`${app}.example.com`, `${app}.example.com/api/v1`, 'www.example.com'], ingressClass: 'traefik', tlsIssuer: 'letsencrypt',
}));
test('staging Job', accepted, (app) => [buildStageJob({ namespace: 'default', app, stageId: 'lz3k9f2a1b2c3d4', blobuid: '0b9e7c1a-5d2f-4c3e-9a8b-7f6e5d4c3b2a', settings })]);
test('cache claim', accepted, (app) => [buildCacheClaim('default', app, '5Gi', 'local-path')]);
