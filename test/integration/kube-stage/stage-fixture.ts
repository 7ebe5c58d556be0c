/** Shared set-up of the stager's integration tests: a fake API with the App CRD, the system Secrets, an App, a stager. */
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { silentLogger } from '../../../core/ports/logger.ts';
import type { StageInput } from '../../../core/ports/runtime.ts';
import { startFakeKube, type FakeKube, type FakeKubeOptions, type KubeObject } from '../../helpers/fake-kube/index.ts';
import { createKubeStager, type KubeStager } from '../../../controller/adapters/kube/runtime/stage/create-kube-stager.ts';
import type { KubeStagerSettings } from '../../../controller/adapters/kube/runtime/stage/stage-settings.ts';

export const CRD_FILE = fileURLToPath(new URL('../../../charts/slipway/crds/apps.slipway.dev.yaml', import.meta.url));
export const NS = 'team';
export const SYSTEM = 'slipway-system';
export const BLOBUID = '0b9e7c1a-5d2f-4c3e-9a8b-7f6e5d4c3b2a';

/** Settings of the tests' stager. */
export const SETTINGS: KubeStagerSettings = {
  systemNamespace: SYSTEM,
  image: 'ghcr.io/slipway/slipway:test',
  registry: 'registry.local:5000',
  registrySecret: 'slipway-registry',
  s3Secret: 'slipway-s3',
  builderImage: 'paketobuildpacks/builder-jammy-full:latest',
  stage: { cpu: '1', memory: '2Gi', cacheSize: '5Gi', ttlSeconds: 600 },
  buildTimeoutMs: 20_000,
  blob: { bucket: 'sources', endpoint: 'http://s3.local:9000', region: 'us-east-1', forcePathStyle: true },
};

/** The registry credentials Secret as an operator creates it. */
export const REGISTRY_SECRET = {
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slipway-registry', namespace: SYSTEM }, type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { 'registry.local:5000': { auth: Buffer.from('u:p').toString('base64') } } })).toString('base64') },
};

/** The S3 credentials Secret as an operator creates it. */
export const S3_SECRET = {
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slipway-s3', namespace: SYSTEM }, type: 'Opaque',
  data: { AWS_ACCESS_KEY_ID: Buffer.from('AKIA').toString('base64'), AWS_SECRET_ACCESS_KEY: Buffer.from('s3cr3t').toString('base64') },
};

/** What a test gets. */
export interface StageFixture {
  kube: FakeKube;
  stager: KubeStager;
  /** The App's uid (owner of what stage makes). */
  appUid: string;
}

/** A fake API with namespaces `team` and `slipway-system`, the two Secrets (unless `secrets: false`), App `web`, and a stager. */
export async function setUp(options: FakeKubeOptions & { secrets?: boolean; settings?: Partial<KubeStagerSettings> } = {}): Promise<StageFixture> {
  const kube = await startFakeKube({ crds: [CRD_FILE], ...options });
  const kc = kube.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS, labels: { 'slipway.dev/namespace': 'true' } } } });
  await core.createNamespace({ body: { metadata: { name: SYSTEM } } });
  if (options.secrets !== false) {
    await core.createNamespacedSecret({ namespace: SYSTEM, body: REGISTRY_SECRET });
    await core.createNamespacedSecret({ namespace: SYSTEM, body: S3_SECRET });
  }
  const created = await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'slipway.dev', version: 'v1alpha1', namespace: NS, plural: 'apps',
    body: { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name: 'web', namespace: NS }, spec: { origin: { kind: 'path' } } },
  }) as { metadata: { uid: string } };
  const stager = createKubeStager({
    kc, logger: silentLogger, settings: { ...SETTINGS, ...options.settings }, graceMs: 2_000, logTiming: { pollMs: 20, appearMs: 3_000, endMs: 3_000 }, stuckTiming: { intervalMs: 20, pullGraceMs: 300 },
  });
  return { kube, stager, appUid: created.metadata.uid };
}

/** A stage of `web` with id `stageId`. */
export function stageInput(stageId: string, more: Partial<StageInput> = {}): StageInput {
  return { namespace: NS, app: 'web', stageId, blobuid: BLOBUID, env: { NODE_ENV: 'production' }, ...more };
}

/** The stored object, typed loosely for assertions. */
export type Loose = KubeObject & { spec?: any; status?: any; data?: Record<string, string>; type?: string };

/** Waits for the Job of stage `stageId` and returns it. */
export function jobOf(kube: FakeKube, stageId: string, timeoutMs = 5_000): Promise<Loose> {
  return kube.waitFor(() => kube.objects('batch/v1', 'Job', NS).find((j) => j.metadata.labels?.['slipway.dev/stage-id'] === stageId) as Loose | undefined, { timeoutMs }) as Promise<Loose>;
}

/** Waits for the pod of stage `stageId` and returns it. */
export function podOf(kube: FakeKube, stageId: string, timeoutMs = 5_000): Promise<Loose> {
  return kube.waitFor(() => kube.pods.list(NS, `slipway.dev/stage-id=${stageId}`)[0] as Loose | undefined, { timeoutMs }) as Promise<Loose>;
}

/** Collects what an async iterable yields. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Stores a pod of stage `stageId` whose `build` step waits for `reason`, as a kubelet reports a pod that cannot start. */
export async function seedWaitingPod(kube: FakeKube, stageId: string, reason: string, image = SETTINGS.builderImage): Promise<void> {
  const labels = { 'slipway.dev/app': 'web', 'slipway.dev/stage-id': stageId, 'app.kubernetes.io/component': 'stage' };
  await kube.seed({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-stage-${stageId}-zzzzz`, namespace: NS, labels, creationTimestamp: new Date(Date.now() + 60_000).toISOString() },
    spec: { initContainers: [{ name: 'unpack', image: SETTINGS.image }], containers: [{ name: 'build', image }] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'unpack', image: SETTINGS.image, imageID: '', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containerStatuses: [{ name: 'build', image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: `Back-off pulling image "${image}"` } } }],
    },
  } as never);
}
