/**
 * The system domain when none is configured on Kubernetes: `<ingress IP>.<wildcard DNS>`
 * (`203.0.113.7.sslip.io`), from the ingress controller's Service
 * (`status.loadBalancer.ingress`), as Epinio derives its default domain. The Service is
 * watched, so an address a cloud assigns after install — or a new one — is picked up
 * without a restart. A load balancer that only has a host name (AWS ELB) gives no
 * domain: wildcard-DNS services such as sslip.io map names to IP addresses in the name,
 * and resolving the host name once would pin addresses that ELBs change; the problem
 * then says to set a domain whose wildcard record points at that host name.
 */
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import type { Logger } from '../../../../core/ports/logger.ts';
import type { SystemDomain } from '../../../../core/ports/system-domain.ts';
import { isIP } from 'node:net';
import { createResourceWatch } from '../control/watch-resource.ts';

/** Options of {@link createDerivedSystemDomain}. */
export interface DerivedSystemDomainOptions {
  kc: KubeConfig;
  logger: Logger;
  /** The ingress controller's Service (`SLIPWAY_INGRESS_SERVICE`). */
  service: { namespace: string; name: string };
  /** `SLIPWAY_WILDCARD_DNS`, e.g. `sslip.io`. */
  wildcardDns: string;
  backoff?: { initialMs: number; maxMs: number };
}

/** A {@link SystemDomain} that follows the ingress Service. */
export interface DerivedSystemDomain extends SystemDomain {
  /** Starts watching; resolves after the first list (the domain, or the problem, is known then). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Called with each new domain (the composition root reserves it for the API). */
  onChange(handler: (domain: string) => void): void;
}

/** What to tell the user to do, after saying why there is no domain. */
const WHAT_TO_DO = 'set SLIPWAY_SYSTEM_DOMAIN (chart value systemDomain) to a domain whose wildcard DNS record points at your ingress controller, or give the app routes';

/** The label a wildcard-DNS service reads an address from: IPv4 as is, IPv6 with `-` for `:` (sslip.io's form). */
export function addressLabel(ip: string): string | undefined {
  if (isIP(ip) === 4) return ip;
  if (isIP(ip) === 6) return ip.toLowerCase().replaceAll(':', '-');
  return undefined;
}

/** The domain `service` gives, or why it gives none. IPv4 addresses are preferred (every wildcard-DNS service knows them). */
export function domainFromService(service: V1Service | undefined, where: string, wildcardDns: string): { domain: string } | { problem: string } {
  if (!service) return { problem: `the ingress controller's Service ${where} (SLIPWAY_INGRESS_SERVICE) does not exist; ${WHAT_TO_DO}` };
  const entries = service.status?.loadBalancer?.ingress ?? [];
  const ips = entries.map((e) => e.ip).filter((ip): ip is string => !!ip && isIP(ip) !== 0);
  const ip = ips.find((x) => isIP(x) === 4) ?? ips[0];
  if (ip) return { domain: `${addressLabel(ip)}.${wildcardDns}`.toLowerCase() };
  const host = entries.find((e) => e.hostname)?.hostname;
  if (host) return { problem: `the ingress controller's Service ${where} has the load-balancer host name ${host} and no IP address, which ${wildcardDns} cannot use; ${WHAT_TO_DO} (a wildcard CNAME to ${host})` };
  return { problem: `the ingress controller's Service ${where} has no load-balancer IP address yet (status.loadBalancer.ingress is empty); wait for one, or ${WHAT_TO_DO}` };
}

/** Creates the derived domain; unknown until `start()` has listed the Service. */
export function createDerivedSystemDomain(options: DerivedSystemDomainOptions): DerivedSystemDomain {
  const { namespace, name } = options.service;
  const where = `${namespace}/${name}`;
  const logger = options.logger.child({ component: 'system-domain', service: where });
  const watch = createResourceWatch<V1Service>({
    kc: options.kc, logger, backoff: options.backoff,
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/services`, fieldSelector: `metadata.name=${name}`,
  });
  const handlers: Array<(domain: string) => void> = [];
  let state: { domain: string } | { problem: string } = { problem: `the ingress controller's Service ${where} has not been read yet; ${WHAT_TO_DO}` };

  const update = () => {
    const next = domainFromService(watch.get(namespace, name), where, options.wildcardDns);
    const before = 'domain' in state ? state.domain : undefined;
    if ('problem' in next) {
      // A Service that loses its address for a while keeps the apps where they are: the last domain stays.
      if (before !== undefined) logger.warn({ systemDomain: before }, `the ingress Service has no usable address any more; keeping the last system domain: ${next.problem}`);
      else state = next;
      return;
    }
    state = next;
    if (next.domain === before) return;
    logger.info({ systemDomain: next.domain }, `system domain derived from the ingress Service: apps get <app>.${next.domain}`);
    for (const handler of handlers) handler(next.domain);
  };
  watch.on('add', update);
  watch.on('update', update);
  watch.on('delete', update);

  return {
    async start() {
      await watch.start();
      update();
      if ('problem' in state) logger.warn(`no system domain: ${state.problem}`);
    },
    stop: () => watch.stop(),
    current: () => ('domain' in state ? state.domain : undefined),
    problem: () => ('problem' in state ? state.problem : undefined),
    onChange(handler) { handlers.push(handler); },
  };
}
