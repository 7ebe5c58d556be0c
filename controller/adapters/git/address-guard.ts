/**
 * SSRF guard for git hosts: a host may be reached only when every address it
 * resolves to is public unicast, unless the operator allowed it by name or CIDR in
 * SLIPWAY_GIT_ALLOWED_HOSTS. The check runs on the addresses the socket actually
 * connects to (see guarded-http.ts), so DNS rebinding between check and connect
 * cannot slip through.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { gitAddressRefused } from '../../../core/error-cases.ts';

/** One resolved address, as `dns.lookup({ all: true })` returns it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (a seam for tests). */
export type HostLookup = (host: string) => Promise<ResolvedAddress[]>;

/** The guard's decisions. */
export interface AddressGuard {
  /** Resolves `host` and returns its addresses; throws `git_address_refused` when any is refused. */
  resolve(host: string): Promise<ResolvedAddress[]>;
  /** Throws `git_address_refused` unless `address` (reached through `host`) may be contacted. */
  check(host: string, address: string): void;
}

/** Options for {@link createAddressGuard}. */
export interface AddressGuardOptions {
  /** Host names (exact, case-insensitive) or CIDRs / single addresses that may be private. */
  allowedHosts: string[];
  lookup?: HostLookup;
}

const defaultLookup: HostLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Builds the guard from the allow-list. Throws on an allow-list entry that is neither a name nor a CIDR. */
export function createAddressGuard(options: AddressGuardOptions): AddressGuard {
  const names = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of options.allowedHosts) {
    const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (entry === '') continue;
    if (entry.includes('/')) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else names.add(entry.replace(/\.$/, ''));
  }
  const lookup = options.lookup ?? defaultLookup;

  const allowedByRange = (address: ipaddr.IPv4 | ipaddr.IPv6) =>
    ranges.some(([base, bits]) => {
      const candidate = address.kind() === base.kind() ? address : convert(address);
      return candidate !== undefined && candidate.kind() === base.kind() && candidate.match(base, bits);
    });

  const check = (host: string, address: string) => {
    const name = normaliseHost(host);
    if (names.has(name)) return;
    const parsed = ipaddr.isValid(address) ? ipaddr.parse(address) : undefined;
    if (parsed === undefined) throw gitAddressRefused(name, address);
    if (allowedByRange(parsed)) return;
    if (!isPublicUnicast(parsed)) throw gitAddressRefused(name, parsed.toString());
  };

  return {
    check,
    async resolve(host) {
      const name = normaliseHost(host);
      const addresses = ipaddr.isValid(name)
        ? [{ address: name, family: ipaddr.parse(name).kind() === 'ipv4' ? 4 : 6 }]
        : await lookup(name);
      for (const { address } of addresses) check(name, address);
      return addresses;
    },
  };
}

/** Host names compare lower-case, without IPv6 brackets or a trailing dot. */
export function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/**
 * True for addresses on the public internet. ipaddr.js names every special range
 * (loopback, private, linkLocal incl. 169.254.169.254, uniqueLocal, carrierGradeNat,
 * multicast, broadcast, unspecified, reserved, 6to4, teredo, …); only `unicast` is
 * public. An IPv4-mapped IPv6 address is judged by the IPv4 address inside it. The
 * deprecated IPv4-compatible block ::/96 (RFC 4291 2.5.5.1) is refused as a whole:
 * ipaddr.js calls it unicast, yet `::a9fe:a9fe` is ::169.254.169.254 and some stacks
 * route it to the IPv4 address; only an allow-list entry lets it through.
 */
export function isPublicUnicast(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isPublicUnicast(v6.toIPv4Address());
    if (v6.parts.slice(0, 6).every((part) => part === 0)) return false;
  }
  return address.range() === 'unicast';
}

function convert(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : undefined;
  }
  return (address as ipaddr.IPv4).toIPv4MappedAddress();
}
