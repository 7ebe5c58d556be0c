/**
 * The Kubernetes runtime (`SLIPWAY_RUNTIME=kubernetes`): staging Jobs (stage/) and
 * Deployments, Services and Ingresses (deploy/) behind the one Runtime port the
 * pipeline, the API and the CLI use.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../../core/ports/logger.ts';
import type { Runtime } from '../../../../core/ports/runtime.ts';
import { createKubeDeployer } from './deploy/create-kube-deployer.ts';
import type { KubeDeployerSettings } from './deploy/deployer-settings.ts';
import { createKubeStager, type KubeStagerOptions } from './stage/create-kube-stager.ts';
import type { KubeStagerSettings } from './stage/stage-settings.ts';
import { copySystemSecret } from './stage/copy-system-secret.ts';

/** Options of {@link createKubeRuntime}: the stager's and the deployer's, with one `settings`. */
export interface KubeRuntimeOptions extends Omit<KubeStagerOptions, 'settings'> {
  kc: KubeConfig;
  logger: Logger;
  /** `registrySecret` is shared: pods pull with the same Secret the build pushes with. */
  settings: KubeStagerSettings & KubeDeployerSettings;
}

/** Creates the Kubernetes runtime. */
export function createKubeRuntime(options: KubeRuntimeOptions): Runtime {
  const stager = createKubeStager(options);
  const deployer = createKubeDeployer({ kc: options.kc, logger: options.logger, settings: options.settings, ...(options.caches ? { caches: options.caches } : {}) });
  return {
    kind: 'kubernetes',
    stage: (input) => stager.stage(input),
    stagingLogs: (namespace, stageId, logOptions) => stager.stagingLogs(namespace, stageId, logOptions),
    async deploy(input) {
      // Pods pull with the registry Secret; a rollback or a container image may reach a
      // namespace no build ran in yet. A missing Secret is not fatal here: public images pull without it.
      const { settings } = options;
      await copySystemSecret(options.kc, settings.systemNamespace, input.namespace, { name: settings.registrySecret, createCommand: '' })
        .catch((error) => options.logger.warn({ namespace: input.namespace, secret: settings.registrySecret, err: String((error as Error).message) }, 'could not copy the registry Secret; images are pulled without credentials'));
      return deployer.deploy(input);
    },
    status: (namespace, app) => deployer.status(namespace, app),
    logs: (namespace, app, logOptions) => deployer.logs(namespace, app, logOptions),
    restart: (namespace, app) => deployer.restart(namespace, app),
    async delete(namespace, app) {
      stager.forget(namespace, app);
      await deployer.delete(namespace, app);
    },
  };
}
