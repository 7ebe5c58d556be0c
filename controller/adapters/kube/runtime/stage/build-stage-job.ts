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
import { registryHost } from '../registry-address.ts';
import { builderUser } from './builder-user.ts';
import { cacheClaimName, stageImage, stageJobName } from './stage-names.ts';
import type { KubeStagerSettings } from './stage-settings.ts';

/** Buildpacks Platform API the `creator` invocation below follows (flags, /platform/env layout). */
export const PLATFORM_API = '0.12';

/**
 * The Platform API used when the registry is insecure: `CNB_INSECURE_REGISTRIES` exists
 * from 0.13 on (buildpacks/spec platform.md; lifecycle `cmd/lifecycle/creator.go` reads it
 * only when the API is at least 0.13). Kept off otherwise so builders with an older
 * lifecycle still build.
 */
export const INSECURE_PLATFORM_API = '0.13';

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
  /** The serving release's image at the push address, whose launch layers the build may reuse (`-previous-image`). */
  previousImage?: string;
  owner?: V1OwnerReference;
  settings: KubeStagerSettings;
}

/** The Job manifest of a stage. */
export function buildStageJob(params: StageJobParams): V1Job {
  const { namespace, app, stageId, blobuid, settings } = params;
  const labels = { ...appLabels(app, 'stage'), [LABELS.stageId]: stageId, [LABELS.blobuid]: blobuid };
  const builder = params.builder || settings.builderImage;
  const user = builderUser(builder, settings.builderUsers);
  const resources: V1ResourceRequirements = {
    requests: { cpu: settings.stage.cpu, memory: settings.stage.memory },
    limits: { cpu: settings.stage.cpuLimit ?? settings.stage.cpu, memory: settings.stage.memoryLimit ?? settings.stage.memory },
  };
  const nodeSelector = settings.stage.nodeSelector ?? {};
  // The registry Secret first (a builder kept next to the images), then the operator's pull Secrets.
  const pullSecrets = [...new Set([settings.registrySecret, ...(settings.imagePullSecrets ?? [])])];
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
          imagePullSecrets: pullSecrets.map((name) => ({ name })),
          ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector: { ...nodeSelector } } : {}),
          // Both steps run as the builder's user, so what unpack writes the lifecycle can change.
          securityContext: {
            runAsNonRoot: true,
            runAsUser: user.uid,
            runAsGroup: user.gid,
            // Makes the cache PVC writable by the builder's group; only the first mount of a
            // big cache pays for the recursive chown, later ones skip it when the root matches.
            fsGroup: user.gid,
            fsGroupChangePolicy: 'OnRootMismatch',
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
            image: builder,
            command: ['/cnb/lifecycle/creator'],
            args: [
              `-app=${WORKSPACE}`, '-cache-dir=/cache', '-layers=/layers', '-platform=/platform', '-report=/layers/report.toml',
              `-uid=${user.uid}`, `-gid=${user.gid}`,
              // Without it the lifecycle analyses the output tag, which is new for every stage: nothing to reuse.
              ...(params.previousImage ? [`-previous-image=${params.previousImage}`] : []),
              stageImage(settings.registry, namespace, app, stageId),
            ],
            env: [
              { name: 'CNB_PLATFORM_API', value: settings.registryInsecure ? INSECURE_PLATFORM_API : PLATFORM_API },
              // A comma-separated list of registries (host:port) to reach over plain HTTP.
              ...(settings.registryInsecure ? [{ name: 'CNB_INSECURE_REGISTRIES', value: registryHost(settings.registry) }] : []),
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
