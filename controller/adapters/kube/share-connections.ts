/**
 * client-node 2.0 builds a new undici Agent for every API request whenever any TLS
 * option is set — always in a cluster (the CA) — so no connection is reused and every
 * call pays a TCP (and TLS) handshake. We keep one dispatcher per distinct set of
 * connection options, so requests share keep-alive connections. The bench
 * (bench/control-plane.ts) measured ~40 % less CPU per push with it.
 */
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';

type CreateDispatcher = (cluster: { server?: string; name?: string } | null, agentOptions: Record<string, unknown>) => unknown;

/** What identifies a set of connection options: the server and the TLS material, hashed. */
function optionsKey(cluster: { server?: string; name?: string } | null, agentOptions: Record<string, unknown>): string {
  const hash = createHash('sha256').update(cluster?.server ?? '').update('\0').update(cluster?.name ?? '');
  for (const name of Object.keys(agentOptions).sort()) {
    const value = agentOptions[name];
    hash.update('\0').update(name).update('=').update(Buffer.isBuffer(value) ? value : String(value));
  }
  return hash.digest('hex');
}

/** Makes `kc` reuse one connection pool per server and credentials; returns it. */
export function shareConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createDispatcher: CreateDispatcher; __slipwayShared?: boolean };
  if (target.__slipwayShared) return kc;
  const create = target.createDispatcher.bind(kc);
  const pools = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    const key = optionsKey(cluster, agentOptions);
    if (!pools.has(key)) pools.set(key, create(cluster, agentOptions));
    return pools.get(key);
  };
  target.__slipwayShared = true;
  return kc;
}
