/**
 * What the Kubernetes stager needs to know, taken from `KubernetesConfig` (core/config.ts)
 * and the blob store settings by the composition root.
 */

/** Settings of the Kubernetes stager. */
export interface KubeStagerSettings {
  /** Where Slipway runs; the registry and S3 Secrets are copied from here into app namespaces. */
  systemNamespace: string;
  /** Slipway's own image: the Job's init container runs its `slipway unpack`. */
  image: string;
  /** Registry staged images are pushed to from build pods: `<registry>/<namespace>/<app>:<stageid>`. */
  registry: string;
  /** The same registry as nodes pull from (default {@link registry}): the image a stage returns uses it. */
  registryPull?: string;
  /** The push address speaks plain HTTP: the lifecycle gets `CNB_INSECURE_REGISTRIES` (platform API 0.13). */
  registryInsecure?: boolean;
  /** Secret (kubernetes.io/dockerconfigjson) with the registry credentials. */
  registrySecret: string;
  /** Secrets of {@link systemNamespace} to pull Slipway's image and the builder with; copied into app namespaces. */
  imagePullSecrets?: string[];
  /** The operator's `image-pattern=uid:gid` entries, before the built-in ones (see builder-user.ts). */
  builderUsers?: string[];
  /** Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for the unpack step. */
  s3Secret: string;
  /** Default buildpacks builder (an app's own `builder` wins). */
  builderImage: string;
  /** Requests (`cpu`, `memory`), limits (default: the requests), node selector, cache claim, TTL of finished Jobs. */
  stage: {
    cpu: string; memory: string; cpuLimit?: string; memoryLimit?: string; nodeSelector?: Record<string, string>;
    cacheSize: string; cacheStorageClass?: string; ttlSeconds: number;
  };
  /** How long the staging pod may stay unschedulable or fail to pull an image before the stage fails (default 2 min). */
  pendingGraceMs?: number;
  /** The Job's `activeDeadlineSeconds`, and (plus a grace) how long stage() waits. */
  buildTimeoutMs: number;
  /** Where the unpack step reads the source archive. */
  blob: { bucket: string; endpoint?: string; region: string; forcePathStyle: boolean };
  /** Archive limits the unpack step enforces, the same as on upload (default: the unpack command's own defaults). */
  limits?: { unpackedBytes: number; archiveEntries: number };
}
