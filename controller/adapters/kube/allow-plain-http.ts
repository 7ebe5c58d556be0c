/**
 * `kubectl proxy` (and any kubeconfig whose server is `http://…`) for client-node 2.
 * client-node refuses a plain-HTTP server unless its cluster entry has
 * `insecure-skip-tls-verify: true` ("HTTP protocol is not allowed when skipTLSVerify is
 * not set or false", in `KubeConfig.createAgent`/`createDispatcherOptions`), although
 * kubectl talks to the same server happily. Skipping TLS verification means nothing
 * where there is no TLS, so we set it on `http:` clusters only; `https:` ones keep
 * verifying as configured.
 */
import type { KubeConfig } from '@kubernetes/client-node';

/** Marks every `http:` cluster of `kc` as not verifying TLS; returns the servers it changed (to log). */
export function allowPlainHttp(kc: KubeConfig): string[] {
  const changed: string[] = [];
  kc.clusters = kc.clusters.map((cluster) => {
    if (!cluster.server.toLowerCase().startsWith('http:') || cluster.skipTLSVerify) return cluster;
    changed.push(cluster.server);
    return { ...cluster, skipTLSVerify: true };
  });
  return changed;
}
