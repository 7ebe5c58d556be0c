/**
 * The hosts the API answers on. They are matched before any app route, and no app may
 * claim them (controller/pipeline/app-routes.ts): otherwise an app routed on
 * `127.0.0.1` or the public URL's host would receive every API call, BasicAuth
 * credentials included (issue 9).
 */
import { hostOfHeader, isAddressHost } from '../../core/routes.ts';

/** Where the API can be reached, as the composition root knows it. */
export interface ApiHostsInput {
  /** `SLIPWAY_SYSTEM_DOMAIN`: the bare domain is the API's; hosts below it are apps'. */
  systemDomain: string;
  /** `SLIPWAY_PUBLIC_URL`. */
  publicUrl?: string;
  /** `SLIPWAY_HOST`: an address, or a name. */
  listenHost: string;
  /** `SLIPWAY_API_HOSTS`: further names (an Ingress host, a load balancer's name). */
  apiHosts: string[];
  /** The machine's host name (a server listening on all addresses answers on it). */
  machineHostName?: string;
}

/** The host names (lower case, no port) reserved for the API. Addresses and `localhost` are always the API's as well. */
export function reservedApiHosts(input: ApiHostsInput): Set<string> {
  const names = [input.systemDomain, input.listenHost, ...input.apiHosts, input.machineHostName];
  if (input.publicUrl) names.push(new URL(input.publicUrl).host);
  const hosts = new Set<string>();
  for (const name of names) {
    const host = hostOfHeader(name);
    if (host && !isAddressHost(host)) hosts.add(host);
    // A machine host name is also reached with its first label (`box` for `box.example.com`).
    if (host && name === input.machineHostName && host.includes('.')) hosts.add(host.slice(0, host.indexOf('.')));
  }
  return hosts;
}

/** True when a request's `Host` header names the API: one of `reserved`, an IP address, `localhost`, or none at all. */
export function isApiRequestHost(reserved: ReadonlySet<string>, hostHeader: string | undefined): boolean {
  const host = hostOfHeader(hostHeader);
  return host === undefined || reserved.has(host) || isAddressHost(host);
}
