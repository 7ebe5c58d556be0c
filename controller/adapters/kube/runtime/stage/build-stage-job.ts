/**
 * The staging Job: an init container (`unpack`, Slipway's own image) fetches the
 * source archive from S3 and unpacks it into a shared `workspace` volume; the main
 * container (`build`) runs the Cloud Native Buildpacks lifecycle `creator` with the
 * builder image, caching in the app's PVC and pushing the image to the registry.
 * A pure function, so its output is tested without a cluster.
 */
import type { V1Job, V1OwnerReference, V1ResourceRequirements, V1SecurityContext } from '@kubernetes/client-node';
import { sourceKey } from '../../../../../core/ports/blob-store.ts';
import { LABELS, appLabels } from '../../labels.ts';
import { envSecretName } from '../env-secret.ts';
import { cacheClaimName, stageImage, stageJobName } from './stage-names.ts';
import type { KubeStagerSettings } from './stage-settings.ts';

/** Buildpacks Platform API the `creator` invocation below follows (flags, /platform/env layout). */
export const PLATFORM_API = '0.12';

/**
 * The user and group of the paketo builders' `cnb` user: 1001/1000 in builder-jammy-*
 * (CNB_USER_ID / CNB_GROUP_ID in the builder image). The lifecycle refuses to run as
 * root, and a builder with other ids needs these changed.
 */
export const CNB_USER_ID = 1001;
export const CNB_GROUP_ID = 1000;

/** Where things are mounted in the pod. */
const WORKSPACE = '/workspace';
const DOCKER_CONFIG_DIR = '/home/cnb/.docker';

/** What one stage's Job is made of. */
export interface StageJobParams {
  namespace: string;
  app: string;
  stageId: string;
  blobuid: string;
  /** Builder image; defaults to the settings' one. */
  builder?: string;
  owner?: V1OwnerReference;
  settings: KubeStagerSettings;
}

/** The Job manifest of a stage. */
export function buildStageJob(params: StageJobParams): V1Job {
  const { namespace, app, stageId, blobuid, settings } = params;
  const labels = { ...appLabels(app, 'stage'), [LABELS.stageId]: stageId, [LABELS.blobuid]: blobuid };
  const resources: V1ResourceRequirements = {
    requests: { cpu: settings.stage.cpu, memory: settings.stage.memory },
    limits: { cpu: settings.stage.cpu, memory: settings.stage.memory },
  };
  // Nothing in a build needs more than the user it runs as.
  const containerSecurity: V1SecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  const blob = settings.blob;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: stageJobName(app, stageId),
      namespace,
      labels,
      ...(params.owner ? { ownerReferences: [params.owner] } : {}),
    },
    spec: {
      // A failed build is reported, not retried: a retry would rebuild the same source.
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(settings.buildTimeoutMs / 1000)),
      ttlSecondsAfterFinished: settings.stage.ttlSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // The build runs the app's own code (buildpacks run its scripts): no API token.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: CNB_USER_ID,
            runAsGroup: CNB_GROUP_ID,
            // Makes the cache PVC writable by the cnb group.
            fsGroup: CNB_GROUP_ID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          initContainers: [{
            name: 'unpack',
            image: settings.image,
            args: ['unpack', '--blob', sourceKey(namespace, app, blobuid), '--to', WORKSPACE],
            env: [
              { name: 'SLIPWAY_BLOB_STORE', value: 's3' },
              { name: 'SLIPWAY_S3_BUCKET', value: blob.bucket },
              ...(blob.endpoint ? [{ name: 'SLIPWAY_S3_ENDPOINT', value: blob.endpoint }] : []),
              { name: 'SLIPWAY_S3_REGION', value: blob.region },
              { name: 'SLIPWAY_S3_FORCE_PATH_STYLE', value: String(blob.forcePathStyle) },
              ...(settings.limits ? [
                { name: 'SLIPWAY_MAX_UNPACKED_BYTES', value: String(settings.limits.unpackedBytes) },
                { name: 'SLIPWAY_MAX_ARCHIVE_ENTRIES', value: String(settings.limits.archiveEntries) },
              ] : []),
            ],
            // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by the SDK's default chain.
            envFrom: [{ secretRef: { name: settings.s3Secret } }],
            resources,
            securityContext: containerSecurity,
            volumeMounts: [{ name: 'workspace', mountPath: WORKSPACE }],
          }],
          containers: [{
            name: 'build',
            image: params.builder || settings.builderImage,
            command: ['/cnb/lifecycle/creator'],
            args: [
              `-app=${WORKSPACE}`, '-cache-dir=/cache', '-layers=/layers', '-platform=/platform', '-report=/layers/report.toml',
              stageImage(settings.registry, namespace, app, stageId),
            ],
            env: [
              { name: 'CNB_PLATFORM_API', value: PLATFORM_API },
              { name: 'DOCKER_CONFIG', value: DOCKER_CONFIG_DIR },
            ],
            resources,
            securityContext: containerSecurity,
            volumeMounts: [
              { name: 'workspace', mountPath: WORKSPACE },
              { name: 'cache', mountPath: '/cache' },
              { name: 'layers', mountPath: '/layers' },
              // One file per variable: the buildpacks platform env directory.
              { name: 'platform-env', mountPath: '/platform/env', readOnly: true },
              { name: 'docker-config', mountPath: DOCKER_CONFIG_DIR, readOnly: true },
            ],
          }],
          volumes: [
            { name: 'workspace', emptyDir: {} },
            { name: 'layers', emptyDir: {} },
            { name: 'cache', persistentVolumeClaim: { claimName: cacheClaimName(app) } },
            { name: 'platform-env', secret: { secretName: envSecretName(app) } },
            { name: 'docker-config', secret: { secretName: settings.registrySecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } },
          ],
        },
      },
    },
  };
}
