/**
 * Host patterns of deploy keys and host names of known hosts. A key's pattern is
 * `host`, `*.domain` or either with `:port`; without a port it applies to every port.
 * A known host is written as in known_hosts: `host` for port 22, `[host]:port` otherwise.
 */
import { invalidRequest } from '../../../core/error-cases.ts';

const HOST = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** A checked pattern: lower-case host (or `*.suffix`), and the port when one was given. */
export interface HostPattern {
  host: string;
  port?: number;
}

/** Parses and checks a key's host pattern (`github.com`, `*.example.com`, `git.example.com:2222`, `[::1]:2222`). */
export function parseHostPattern(raw: string): HostPattern {
  const text = raw.trim().toLowerCase().replace(/\.$/, '');
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(text);
  const host = match?.[1];
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!host || host.length > 253 || !(HOST.test(host) || IPV6.test(host)) || (port !== undefined && (port < 1 || port > 65535))) {
    throw invalidRequest(`host ${JSON.stringify(raw)} is not a host name, "*.domain" or either with ":port" (e.g. github.com, *.example.com, git.example.com:2222)`, { field: 'host' });
  }
  return { host: host.replace(/^\[(.*)\]$/, '$1'), ...(port === undefined ? {} : { port }) };
}

/** A pattern written back: `host[:port]`, IPv6 in brackets. */
export function formatHostPattern(pattern: HostPattern): string {
  const host = pattern.host.includes(':') ? `[${pattern.host}]` : pattern.host;
  return pattern.port === undefined ? host : `${host}:${pattern.port}`;
}

/**
 * How well `pattern` matches `host`:`port`: undefined when it does not; higher is more
 * specific (an exact host beats a wildcard, a longer wildcard a shorter one, a port none).
 */
export function matchScore(pattern: HostPattern, host: string, port: number): number | undefined {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (pattern.port !== undefined && pattern.port !== port) return undefined;
  const portBonus = pattern.port === undefined ? 0 : 1;
  if (pattern.host === name) return 10_000 + portBonus;
  if (pattern.host.startsWith('*.') && name.endsWith(pattern.host.slice(1))) return pattern.host.length * 2 + portBonus;
  return undefined;
}

/** The known_hosts name of `host`:`port`: `host` for 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  return port === 22 && !name.includes(':') ? name : `[${name}]:${port}`;
}

/** Reads a known-host name (`host`, `host:port` or `[host]:port`) back to host and port. */
export function parseKnownHostName(raw: string): { host: string; port: number } {
  const text = raw.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const pattern = bracketed ? { host: bracketed[1]!, port: Number(bracketed[2]) } : parseHostPattern(text);
  if (pattern.host.startsWith('*.')) throw invalidRequest('a trusted host key is for one host, not a "*." pattern', { field: 'host' });
  return { host: pattern.host, port: pattern.port ?? 22 };
}

/** The default name of a key for `pattern`: `github-com`, `wildcard-example-com`, `git-example-com-2222`. */
export function defaultKeyName(pattern: HostPattern): string {
  const base = `${pattern.host.replace(/^\*\./, 'wildcard.')}${pattern.port === undefined ? '' : `-${pattern.port}`}`;
  return base.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
}
