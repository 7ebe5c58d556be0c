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
  /** Registry staged images are pushed to: `<registry>/<namespace>-<app>:<stageid>`. */
  registry: string;
  /** Secret (kubernetes.io/dockerconfigjson) with the registry credentials. */
  registrySecret: string;
  /** Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for the unpack step. */
  s3Secret: string;
  /** Default buildpacks builder (an app's own `builder` wins). */
  builderImage: string;
  stage: { cpu: string; memory: string; cacheSize: string; cacheStorageClass?: string; ttlSeconds: number };
  /** The Job's `activeDeadlineSeconds`, and (plus a grace) how long stage() waits. */
  buildTimeoutMs: number;
  /** Where the unpack step reads the source archive. */
  blob: { bucket: string; endpoint?: string; region: string; forcePathStyle: boolean };
  /** Archive limits the unpack step enforces, the same as on upload (default: the unpack command's own defaults). */
  limits?: { unpackedBytes: number; archiveEntries: number };
}
