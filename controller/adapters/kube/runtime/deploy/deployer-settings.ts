/** What the Kubernetes deployer needs from `KubernetesConfig` (core/config.ts), passed in by the composition root. */

/** Settings of the Kubernetes deployer. */
export interface KubeDeployerSettings {
  /** Secret (kubernetes.io/dockerconfigjson) the kubelet pulls app images with (`imagePullSecrets`). */
  registrySecret: string;
  /** `ingressClassName` of every Ingress (e.g. `traefik`). */
  ingressClass: string;
  /** cert-manager ClusterIssuer: Ingresses get TLS and URLs are https when set. */
  tlsIssuer?: string;
  /** How long a deploy or restart waits for the rollout. */
  rolloutTimeoutMs: number;
  /**
   * The registry's push and pull addresses: an image recorded at the push address (releases
   * made before the two were split) is run from the pull address, which nodes can reach.
   */
  registry?: string;
  registryPull?: string;
  /** How long a new pod may fail to pull its image (ErrImagePull, ImagePullBackOff) before the rollout fails (default 2 min). */
  pendingGraceMs?: number;
}
