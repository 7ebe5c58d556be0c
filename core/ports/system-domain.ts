/**
 * The system domain apps get default routes under (`<app>.<domain>`), behind a port
 * because it may change while the server runs: on Kubernetes without
 * `SLIPWAY_SYSTEM_DOMAIN` it is derived from the ingress controller's load-balancer
 * address, which a cloud assigns some time after install.
 */
export interface SystemDomain {
  /** The domain now (lower case), or undefined while none is known. */
  current(): string | undefined;
  /** While none is known: why, and what to do about it. */
  problem(): string | undefined;
}

/** A domain set in the configuration: always known, never changes. */
export function fixedSystemDomain(domain: string): SystemDomain {
  const lower = domain.toLowerCase();
  return { current: () => lower, problem: () => undefined };
}
