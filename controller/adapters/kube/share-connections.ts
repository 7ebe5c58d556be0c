/**
 * client-node 2.0 builds a new undici Agent for every API request whenever any TLS
 * option is set — always in a cluster (the CA) — so no connection is reused and every
 * call pays a TCP (and TLS) handshake. We keep one dispatcher per distinct set of
 * connection options, so requests share keep-alive connections. The bench
 * (bench/control-plane.ts) measured ~40 % less CPU per push with it.
 */
import type { KubeConfig } from '@kubernetes/client-node';

type CreateDispatcher = (cluster: { server?: string; name?: string } | null, agentOptions: Record<string, unknown>) => unknown;

/** One pool and the connection options it was made for: server, cluster name, TLS material by option name. */
interface Pool {
  server: string;
  name: string;
  options: Map<string, Buffer | string>;
  dispatcher: unknown;
}

/** An option value as the pool compares it: Buffers (CA, certificate, key) as bytes, anything else as its string. */
function comparable(value: unknown): Buffer | string {
  return Buffer.isBuffer(value) ? value : String(value);
}

/** True when two option values are the same bytes. */
function sameValue(a: Buffer | string, b: Buffer | string): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return (typeof a === 'string' ? Buffer.from(a) : a).equals(typeof b === 'string' ? Buffer.from(b) : b);
}

/**
 * True when `pool` was made for these options. Compared field by field (the TLS material
 * byte for byte) rather than hashed: client-node calls this on every request with fresh
 * Buffers, and a SHA-256 per request was a tenth of kube-request's CPU in the bench.
 */
function matches(pool: Pool, server: string, name: string, agentOptions: Record<string, unknown>): boolean {
  if (pool.server !== server || pool.name !== name) return false;
  const names = Object.keys(agentOptions);
  if (names.length !== pool.options.size) return false;
  for (const option of names) {
    const kept = pool.options.get(option);
    if (kept === undefined || !sameValue(kept, comparable(agentOptions[option]))) return false;
  }
  return true;
}

/** Makes `kc` reuse one connection pool per server and credentials; returns it. */
export function shareConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createDispatcher: CreateDispatcher; __slipwayShared?: boolean };
  if (target.__slipwayShared) return kc;
  const create = target.createDispatcher.bind(kc);
  const pools: Pool[] = [];
  target.createDispatcher = (cluster, agentOptions) => {
    const server = cluster?.server ?? '';
    const name = cluster?.name ?? '';
    let pool = pools.find((p) => matches(p, server, name, agentOptions));
    if (!pool) {
      const options = new Map(Object.keys(agentOptions).map((option) => [option, comparable(agentOptions[option])] as const));
      pool = { server, name, options, dispatcher: create(cluster, agentOptions) };
      pools.push(pool);
    }
    return pool.dispatcher;
  };
  target.__slipwayShared = true;
  return kc;
}
