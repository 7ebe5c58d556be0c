/**
 * The stage half of the Kubernetes runtime: stage() runs one staging Job per stage id
 * (see build-stage-job.ts) and waits for it; stagingLogs() streams its pod's output.
 * Restart-safe: a stage repeated with the same id finds its Job (AlreadyExists) and
 * waits for that one instead of building twice.
 */
import type { KubeConfig, V1Job } from '@kubernetes/client-node';
import { stageFailed } from '../../../../../core/error-cases.ts';
import type { Logger } from '../../../../../core/ports/logger.ts';
import type { LogLine, LogOptions, StageInput, StageOutput } from '../../../../../core/ports/runtime.ts';
import { fromKubeError, isKubeStatus } from '../../kube-errors.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { appOwnerReference } from '../../owner-reference.ts';
import { applyEnvSecret } from '../env-secret.ts';
import { buildStageJob } from './build-stage-job.ts';
import { copySystemSecret } from './copy-system-secret.ts';
import { describeStageFailure } from './describe-stage-failure.ts';
import { ensureCacheClaim } from './ensure-cache-claim.ts';
import { jobOutcome } from './job-outcome.ts';
import { retryTransient } from './retry-transient.ts';
import { pullReference, pushReference, registryHost } from '../registry-address.ts';
import { stageImage } from './stage-names.ts';
import type { KubeStagerSettings } from './stage-settings.ts';
import { readStagingLogs, type StagingLogTiming } from './read-staging-logs.ts';
import { supersedeStages } from './supersede-stages.ts';
import { waitForJob } from './wait-for-job.ts';
import { waitForCachedJob } from './wait-for-cached-job.ts';
import type { RuntimeCaches } from '../../cache/runtime-caches.ts';
import { watchStuckPod, type StuckPodTiming } from './watch-stuck-pod.ts';

/** Dependencies of {@link createKubeStager}. */
export interface KubeStagerOptions {
  kc: KubeConfig;
  logger: Logger;
  settings: KubeStagerSettings;
  /** How long stage() waits past the Job's own deadline before giving up on it (default 30 s). */
  graceMs?: number;
  /** Timing of stagingLogs (tests shorten it). */
  logTiming?: Partial<StagingLogTiming>;
  /** How often the staging pod is checked for a start that will not happen, and how long it may stay unschedulable or fail to pull (default 10 s, `settings.pendingGraceMs`). */
  stuckTiming?: Partial<StuckPodTiming>;
  /** The shared caches (issue 12): the app's other staging Jobs and the Job's end are read there once synced. */
  caches?: RuntimeCaches;
}

/** The stager: `stage` and `stagingLogs` of the Runtime port. */
export interface KubeStager {
  stage(input: StageInput): Promise<StageOutput>;
  stagingLogs(namespace: string, stageId: string, options: LogOptions): AsyncIterable<LogLine>;
  /** The app was deleted: what the stager remembers of it (its build cache claim) is forgotten. */
  forget(namespace: string, app: string): void;
}

/** Creates the Kubernetes stager. */
export function createKubeStager(options: KubeStagerOptions): KubeStager {
  const { kc, settings } = options;
  const graceMs = options.graceMs ?? 30_000;
  const stuckTiming: StuckPodTiming = { intervalMs: 10_000, pullGraceMs: settings.pendingGraceMs ?? 120_000, ...options.stuckTiming };
  /** Apps (`namespace/app`) whose build cache claim is known to exist. */
  const knownClaims = new Set<string>();

  /** Deletes a stage's Job (and, in the background, its pod); gone already is fine. */
  async function deleteJob(namespace: string, name: string): Promise<void> {
    await retryTransient(async () => {
      try {
        await kubeRequest(kc, { method: 'DELETE', path: resourcePath({ group: 'batch', version: 'v1', namespace, plural: 'jobs', name }), query: { propagationPolicy: 'Background' } });
      } catch (error) {
        if (!isKubeStatus(error, 404)) throw fromKubeError(error, `deleting staging Job ${namespace}/${name}`);
      }
    }).catch((error: unknown) => options.logger.warn({ err: error, namespace, job: name }, 'could not delete the staging Job; its deadline and TTL will remove it'));
  }

  /** Creates the Job, or adopts the one a previous attempt of this stage made. */
  async function createJob(job: V1Job): Promise<void> {
    const namespace = job.metadata!.namespace!;
    try {
      await kubeRequest(kc, { method: 'POST', path: resourcePath({ group: 'batch', version: 'v1', namespace, plural: 'jobs' }), body: job });
    } catch (error) {
      if (isKubeStatus(error, 409)) return;
      throw fromKubeError(error, `creating staging Job ${namespace}/${job.metadata!.name}`);
    }
  }

  /**
   * The serving image as the build pod reaches it, when it is one of this app's own
   * builds (same repository, at either registry address); a prebuilt container image
   * holds no launch layers of this app to reuse, and may sit in a registry the build cannot read.
   */
  function reusableImage(image: string | undefined, namespace: string, app: string): string | undefined {
    if (!image) return undefined;
    const pushed = pushReference(image, settings);
    const repository = stageImage(settings.registry, namespace, app, '');
    return pushed.startsWith(repository) && pushed.length > repository.length ? pushed : undefined;
  }

  return {
    async stage(input) {
      try {
        return await stageOnce(input);
      } catch (error) {
        knownClaims.delete(`${input.namespace}/${input.app}`);
        throw error;
      }
    },

    stagingLogs(namespace, stageId, logOptions) {
      return readStagingLogs(kc, namespace, stageId, logOptions, { waitMs: settings.buildTimeoutMs + graceMs, ...options.logTiming });
    },

    forget(namespace, app) {
      knownClaims.delete(`${namespace}/${app}`);
    },
  };

  /** One stage: the Secrets and claim it needs, its Job, and the wait for it. */
  async function stageOnce(input: StageInput): Promise<StageOutput> {
    const { namespace, app, stageId, signal } = input;
    const log = options.logger.child({ namespace, app, stageId });
    const retry = <T>(fn: () => Promise<T>) => retryTransient(fn, { signal });
    signal?.throwIfAborted();
    const { caches } = options;
    caches?.use();
    const owner = await retry(() => appOwnerReference(kc, namespace, app));
    await retry(() => copySystemSecret(kc, settings.systemNamespace, namespace, {
      name: settings.registrySecret,
      createCommand: `kubectl create secret docker-registry ${settings.registrySecret} -n ${settings.systemNamespace} --docker-server=${registryHost(settings.registry)} --docker-username=<user> --docker-password=<password>`,
    }));
    // The staging pod names these in imagePullSecrets, and a pod only sees its own namespace's Secrets.
    for (const name of settings.imagePullSecrets ?? []) {
      if (name === settings.registrySecret) continue;
      await retry(() => copySystemSecret(kc, settings.systemNamespace, namespace, {
        name,
        createCommand: `kubectl create secret docker-registry ${name} -n ${settings.systemNamespace} --docker-server=<registry> --docker-username=<user> --docker-password=<password> (or remove it from SLIPWAY_IMAGE_PULL_SECRETS)`,
      }));
    }
    await retry(() => copySystemSecret(kc, settings.systemNamespace, namespace, {
      name: settings.s3Secret,
      createCommand: `kubectl create secret generic ${settings.s3Secret} -n ${settings.systemNamespace} --from-literal=AWS_ACCESS_KEY_ID=<key id> --from-literal=AWS_SECRET_ACCESS_KEY=<secret>`,
    }));
    await retry(() => applyEnvSecret(kc, namespace, app, input.env, owner));
    // A claim this process made or found is not asked for again (issue 12); a failed
    // stage or the app's deletion forgets it, so a claim deleted meanwhile comes back.
    const claimKey = `${namespace}/${app}`;
    if (!knownClaims.has(claimKey)) {
      await retry(() => ensureCacheClaim(kc, namespace, app, settings.stage.cacheSize, settings.stage.cacheStorageClass, owner));
      knownClaims.add(claimKey);
    }
    const previousImage = reusableImage(input.previousImage, namespace, app);
    const job = buildStageJob({ namespace, app, stageId, blobuid: input.blobuid, builder: input.builder, previousImage, owner, settings });
    const name = job.metadata!.name!;
    const superseded = await retry(() => supersedeStages(kc, namespace, app, name, caches?.jobs.watch));
    if (superseded.length > 0) log.info({ superseded }, 'deleted older staging Jobs of the app still running');
    signal?.throwIfAborted();
    await retry(() => createJob(job));
    log.info({ job: name }, 'staging Job created');

    // Ends the wait early when the pod cannot start (see watch-stuck-pod.ts).
    const done = new AbortController();
    let stuck: string | undefined;
    const stuckCheck = watchStuckPod(kc, namespace, stageId, stuckTiming, done.signal).then((reason) => {
      stuck = reason;
      if (reason) done.abort();
    });
    let result;
    try {
      const waitOptions = { timeoutMs: settings.buildTimeoutMs + graceMs, signal: signal ? AbortSignal.any([signal, done.signal]) : done.signal };
      result = await (caches ? waitForCachedJob(kc, caches.jobs, namespace, name, waitOptions) : waitForJob(kc, namespace, name, waitOptions));
    } catch (error) {
      if (signal?.aborted) {
        await deleteJob(namespace, name);
        throw signal.reason;
      }
      if (!stuck) throw error;
      await deleteJob(namespace, name);
      log.info({ job: name, reason: stuck }, 'staging pod cannot start');
      throw stageFailed(`staging could not start: ${stuck}; the Job was deleted`);
    } finally {
      done.abort();
      await stuckCheck;
    }
    if (result.kind === 'deleted') {
      throw stageFailed(`staging Job ${name} was deleted before it finished (superseded by a newer stage of ${app}, or removed by hand)`);
    }
    if (result.kind === 'timeout') {
      await deleteJob(namespace, name);
      throw stageFailed(`staging did not finish within ${Math.round((settings.buildTimeoutMs + graceMs) / 1000)} s; the Job was deleted (SLIPWAY_BUILD_TIMEOUT_MS)`);
    }
    const outcome = jobOutcome(result.job)!;
    if (!outcome.succeeded) {
      const failure = await describeStageFailure(kc, namespace, stageId, outcome, { memory: settings.stage.memoryLimit ?? settings.stage.memory, timeoutMs: settings.buildTimeoutMs });
      log.info({ job: name, reason: outcome.reason }, failure.message);
      throw stageFailed(failure.message, failure.log);
    }
    // Deployments run what nodes pull, so the release records the pull address.
    return { stageId, image: pullReference(stageImage(settings.registry, namespace, app, stageId), settings) };
  }
}
