/**
 * A Slipway server with `SLIPWAY_RUNTIME=kubernetes` on the fake Kubernetes API and an
 * S3 emulator: the App CRD installed, the system namespace with its registry and S3
 * Secrets, as the Helm chart leaves a cluster. Several servers on one fake are replicas.
 */
import { resolve } from 'node:path';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from './fake-kube/index.ts';
import { startS3Emulator, emulatorCredentials, type S3Emulator } from './s3-emulator.ts';
import { startTestServer, type TestServer } from './test-server.ts';
import type { ServerOverrides } from '../../controller/main.ts';

/** The App CRD of the chart. */
export const APP_CRD = resolve(import.meta.dirname, '../../charts/slipway/crds/apps.slipway.dev.yaml');

/** A fake cluster with S3, ready for Slipway servers. */
export interface KubeWorld {
  kube: FakeKube;
  s3: S3Emulator;
  /** Starts one Slipway replica on this cluster. */
  server(env?: Record<string, string>, overrides?: ServerOverrides): Promise<TestServer>;
  close(): Promise<void>;
}

/** Starts the fake cluster and S3; `server()` adds Slipway replicas. */
export async function startKubeWorld(options: FakeKubeOptions = {}): Promise<KubeWorld> {
  process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey;
  const [kube, s3] = await Promise.all([startFakeKube({ crds: [APP_CRD], ...options }), startS3Emulator()]);
  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'slipway-system' } });
  await kube.seed({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slipway-registry', namespace: 'slipway-system' }, type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { 'registry.test': { auth: Buffer.from('u:p').toString('base64') } } })).toString('base64') },
  });
  await kube.seed({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slipway-s3', namespace: 'slipway-system' }, type: 'Opaque',
    data: { AWS_ACCESS_KEY_ID: Buffer.from('test').toString('base64'), AWS_SECRET_ACCESS_KEY: Buffer.from('test').toString('base64') },
  });
  const servers: TestServer[] = [];
  return {
    kube, s3,
    async server(env = {}, overrides = {}) {
      const server = await startTestServer({
        SLIPWAY_RUNTIME: 'kubernetes', SLIPWAY_S3_ENDPOINT: s3.endpoint, SLIPWAY_S3_BUCKET: 'slipway-test', SLIPWAY_REGISTRY: 'registry.test',
        SLIPWAY_SYSTEM_DOMAIN: 'apps.test', SLIPWAY_LEASE_DURATION_MS: '2000', SLIPWAY_POD_NAME: `replica-${servers.length + 1}`, ...env,
      }, { kubeConfig: kube.kubeConfig(), lostLeadership: () => {}, ...overrides });
      servers.push(server);
      return server;
    },
    async close() {
      await Promise.all(servers.map((s) => s.close().catch(() => {})));
      await Promise.all([kube.close(), s3.close()]);
    },
  };
}
