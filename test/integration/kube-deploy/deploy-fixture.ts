/** Shared set-up of the deployer's integration tests: a fake API with the App CRD, an App, a deployer. */
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { silentLogger } from '../../../core/ports/logger.ts';
import type { DeployInput } from '../../../core/ports/runtime.ts';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from '../../helpers/fake-kube/index.ts';
import { createKubeDeployer, type KubeDeployer } from '../../../controller/adapters/kube/runtime/deploy/create-kube-deployer.ts';
import type { KubeDeployerSettings } from '../../../controller/adapters/kube/runtime/deploy/deployer-settings.ts';

export const CRD_FILE = fileURLToPath(new URL('../../../charts/slipway/crds/apps.slipway.dev.yaml', import.meta.url));
export const NS = 'team';

/** Default deployer settings of the tests. */
export const SETTINGS: KubeDeployerSettings = { registrySecret: 'slipway-registry', ingressClass: 'traefik', rolloutTimeoutMs: 10_000 };

/** A fake API with namespace `team`, and a deployer pointed at it. */
export async function setUp(options: FakeKubeOptions = {}, settings: Partial<KubeDeployerSettings> = {}): Promise<{ kube: FakeKube; deployer: KubeDeployer }> {
  const kube = await startFakeKube({ crds: [CRD_FILE], ...options });
  await kube.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS, labels: { 'slipway.dev/namespace': 'true' } } } });
  const deployer = createKubeDeployer({ kc: kube.kubeConfig(), logger: silentLogger, settings: { ...SETTINGS, ...settings } });
  return { kube, deployer };
}

/** Creates App `name` in `team`; returns its uid (the owner of what deploy makes). */
export async function createApp(kube: FakeKube, name: string): Promise<string> {
  const created = await kube.kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: 'slipway.dev', version: 'v1alpha1', namespace: NS, plural: 'apps',
    body: { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', metadata: { name, namespace: NS }, spec: { origin: { kind: 'container', image: 'nginx' } } },
  }) as { metadata: { uid: string } };
  return created.metadata.uid;
}

/** A deploy of `app` at stage `stageId`. */
export function deployInput(app: string, stageId: string, more: Partial<DeployInput> = {}): DeployInput {
  return {
    namespace: NS, app, stageId, image: `registry.local/${NS}-${app}:${stageId}`, instances: 1,
    env: { GREETING: 'hello' }, routes: [`${app}.example.com`], ...more,
  };
}

/** The stored object, typed loosely for assertions. */
export type Loose = { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid: string; kind: string }[]; managedFields?: { manager: string; operation: string }[]; generation?: number }; spec?: any; status?: any };

/** Polls `read` until it returns something, or fails at the deadline (for state read through the API). */
export async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
