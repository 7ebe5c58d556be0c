/**
 * The deploy half of the Kubernetes runtime: a release becomes a Deployment, a Service
 * and an Ingress per route (server-side applied, owned by the App), and deploy returns
 * once the rollout is done — or fails naming the pod and the reason. Status, logs,
 * restart and delete work on the same objects, found by the app's labels.
 */
import type { KubeConfig, KubernetesObject, V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../../../../core/ports/logger.ts';
import type { DeployInput, DeployOutput, LogLine, LogOptions, RuntimeAppStatus } from '../../../../../core/ports/runtime.ts';
import { nothingToDeploy } from '../../../../../core/error-cases.ts';
import { FIELD_MANAGER } from '../../labels.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { appOwnerReference } from '../../owner-reference.ts';
import { applyEnvSecret } from '../env-secret.ts';
import { appPodSelectorString } from './app-object-meta.ts';
import { appLogs } from './app-logs.ts';
import { appStatus } from './app-status.ts';
import { applyObject, pruneIngresses } from './apply-app-objects.ts';
import { RESTARTED_AT, buildDeployment } from './build-deployment.ts';
import { buildIngresses, routeUrl } from './build-ingresses.ts';
import { buildService } from './build-service.ts';
import { deleteAppObjects } from './delete-app-objects.ts';
import type { KubeDeployerSettings } from './deployer-settings.ts';
import { kubeCall } from './kube-call.ts';
import { pullReference } from '../registry-address.ts';
import { waitForRollout, type WaitForRolloutOptions } from './wait-for-rollout.ts';
import { waitForCachedRollout } from './wait-for-cached-rollout.ts';
import type { RuntimeCaches } from '../../cache/runtime-caches.ts';
import type { ResourceWatch } from '../../control/watch-resource.ts';
import { createAppliedMemo } from './applied-memo.ts';

/** Options of {@link createKubeDeployer}. */
export interface KubeDeployerOptions {
  kc: KubeConfig;
  logger: Logger;
  settings: KubeDeployerSettings;
  /** The shared caches (issue 12): the app's Ingresses and its rollout are read there once synced. */
  caches?: RuntimeCaches;
}

/** The deployer's part of the Runtime port. */
export interface KubeDeployer {
  deploy(input: DeployInput): Promise<DeployOutput>;
  status(namespace: string, app: string): Promise<RuntimeAppStatus>;
  logs(namespace: string, app: string, options: LogOptions): AsyncIterable<LogLine>;
  restart(namespace: string, app: string): Promise<void>;
  delete(namespace: string, app: string): Promise<void>;
}

/** Creates the deployer. */
export function createKubeDeployer(options: KubeDeployerOptions): KubeDeployer {
  const { kc, logger, settings } = options;
  const deploymentPath = (namespace: string, app: string) => resourcePath({ group: 'apps', version: 'v1', namespace, plural: 'deployments', name: app });
  // Kubernetes' own deadline is the time without progress; ours bounds the whole rollout, so it is never shorter.
  const progressDeadlineSeconds = Math.max(10, Math.ceil(settings.rolloutTimeoutMs / 1000));
  const { caches } = options;
  const memo = createAppliedMemo();
  /** Applies `object` unless this process applied the same and the cache shows nobody wrote it since (applied-memo.ts). */
  const applyUnlessUnchanged = async (object: KubernetesObject & { apiVersion: string; kind: string }, cache: ResourceWatch<KubernetesObject> | undefined, signal?: AbortSignal) => {
    if (cache?.synced && memo.unchanged(object, cache.get(object.metadata?.namespace ?? '', object.metadata?.name ?? ''))) return;
    memo.remember(object, await applyObject(kc, object, signal));
  };
  /** Waits on the Deployment cache once it is synced and the applied generation is known, else with watches of its own. */
  const rollout = (wait: WaitForRolloutOptions, generation: number | undefined) => (caches?.deployments?.watch.synced && generation !== undefined
    ? waitForCachedRollout(wait, caches.deployments, generation)
    : waitForRollout(wait));

  return {
    async deploy(input) {
      const { namespace, app, signal } = input;
      const log = logger.child({ namespace, app, stageId: input.stageId });
      caches?.use();
      const owner = await kubeCall(`reading App ${namespace}/${app}`, () => appOwnerReference(kc, namespace, app), { signal });
      const envSecret = await kubeCall(`applying the env Secret of ${namespace}/${app}`, () => applyEnvSecret(kc, namespace, app, input.env, owner), { signal });
      const image = settings.registry ? pullReference(input.image, { registry: settings.registry, registryPull: settings.registryPull }) : input.image;
      const ingresses = buildIngresses({ namespace, app, routes: input.routes, ingressClass: settings.ingressClass, tlsIssuer: settings.tlsIssuer, owner });
      const applied = await applyObject(kc, buildDeployment({
        namespace, app, stageId: input.stageId, image, instances: input.instances,
        envSecret, registrySecret: settings.registrySecret, progressDeadlineSeconds, owner,
      }), signal);
      await applyUnlessUnchanged(buildService(namespace, app, owner), caches?.services, signal);
      for (const ingress of ingresses) await applyUnlessUnchanged(ingress, caches?.ingresses.watch, signal);
      const pruned = await pruneIngresses(kc, namespace, app, new Set(ingresses.map((i) => i.metadata!.name!)), signal, caches?.ingresses.watch);
      if (pruned.length > 0) log.info({ ingresses: pruned }, 'deleted the Ingresses of routes no longer listed');
      log.info({ image, instances: input.instances }, 'applied; waiting for the rollout');
      await rollout({ kc, logger: log, namespace, app, what: `release ${input.stageId} of ${app}`, timeoutMs: settings.rolloutTimeoutMs, pullGraceMs: settings.pendingGraceMs, signal }, applied.metadata?.generation);
      const routes = [...new Set(input.routes)];
      return { routes, urls: routes.map((route) => routeUrl(route, !!settings.tlsIssuer)) };
    },

    async status(namespace, app) {
      const deployment = await kubeCall(`reading Deployment ${namespace}/${app}`, () => kubeRequest<V1Deployment>(kc, { method: 'GET', path: deploymentPath(namespace, app) }), { allowNotFound: true });
      if (!deployment) return appStatus(undefined, []);
      const pods = await kubeCall(`listing the pods of ${namespace}/${app}`, () => kubeRequest<{ items: V1Pod[] }>(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'pods' }), query: { labelSelector: appPodSelectorString(app) } }));
      return appStatus(deployment, pods.items);
    },

    logs: (namespace, app, logOptions) => appLogs(namespace, app, { ...logOptions, kc, logger }),

    async restart(namespace, app) {
      const restartedAt = new Date().toISOString();
      const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } };
      const patched = await kubeCall(`restarting Deployment ${namespace}/${app}`,
        () => kubeRequest<V1Deployment>(kc, { method: 'PATCH', patch: 'merge', path: deploymentPath(namespace, app), query: { fieldManager: FIELD_MANAGER }, body }),
        { allowNotFound: true });
      if (!patched) throw nothingToDeploy(app, `is not deployed in namespace "${namespace}"; deploy it before restarting it`);
      await rollout({ kc, logger: logger.child({ namespace, app }), namespace, app, what: `the restart of ${app}`, timeoutMs: settings.rolloutTimeoutMs, pullGraceMs: settings.pendingGraceMs }, patched.metadata?.generation);
    },

    delete: (namespace, app) => deleteAppObjects(kc, namespace, app),
  };
}
