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
}
