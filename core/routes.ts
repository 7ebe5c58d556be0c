/**
 * The one normal form of a route, `host[/path]`. Routes are validated and normalised
 * once, when they enter (API, App resource), and every comparison — conflicts, the
 * local router, Ingress hosts — uses that form. Comparing raw strings while the router
 * ignored ports and trailing slashes let `web.localhost:1` take `web.localhost` from
 * another namespace (issue 9).
 *
 * Normal form: host in lower case, IDNA (punycode) ASCII, no trailing dot; path
 * (optional) starts with `/`, keeps its case (URL paths are case-sensitive, as are
 * Ingress paths), has no trailing slash. Refused: a port (an Ingress host cannot hold
 * one, and the local router ignores it — `web.localhost:1` was how one namespace took
 * another's host), empty, `.` or `..` segments, a query or fragment, bare IP addresses
 * and `localhost` (how the API itself is reached).
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';

/** Longest route accepted (host 253 + a path). */
export const MAX_ROUTE_LENGTH = 1024;

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// RFC 3986 pchar without percent-decoding games: unreserved, sub-delims, ":" and "@", and %XX.
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/** A route split into its normal host and path prefix (`''` for the whole host). */
export interface Route {
  host: string;
  path: string;
}

/** The normal form of `route`, or a sentence saying what is wrong with it. */
export function parseRouteInput(route: string): Route | string {
  const raw = route.trim();
  if (raw.length === 0) return 'a route must not be empty';
  if (raw.length > MAX_ROUTE_LENGTH) return `a route must be at most ${MAX_ROUTE_LENGTH} characters`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return 'a route is a host name with an optional path, without a scheme (e.g. "app.example.com/api")';
  if (/[?#\s\\]/.test(raw)) return 'a route must not contain spaces, backslashes, "?" or "#"';
  const slash = raw.indexOf('/');
  const hostPart = slash === -1 ? raw : raw.slice(0, slash);
  const host = normalHost(hostPart);
  if ('problem' in host) return host.problem;
  const path = slash === -1 ? { value: '' } : normalPath(raw.slice(slash));
  if ('problem' in path) return path.problem;
  return { host: host.value, path: path.value };
}

/** The normal form of `route`; throws an Error whose message says what is wrong. */
export function normalizeRoute(route: string): string {
  const parsed = parseRouteInput(route);
  if (typeof parsed === 'string') throw new Error(`route "${route}": ${parsed}`);
  return parsed.host + parsed.path;
}

/** Splits a route already in normal form. */
export function splitRoute(route: string): Route {
  const slash = route.indexOf('/');
  return slash === -1 ? { host: route, path: '' } : { host: route.slice(0, slash), path: route.slice(slash) };
}

/**
 * The host name of a `Host` header as the router and the API compare it: lower case,
 * without port and trailing dot; IPv6 literals keep their brackets. Undefined when
 * there is none.
 */
export function hostOfHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    host = end === -1 ? host : host.slice(0, end + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon !== -1) host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host || undefined;
}

/** True when `host` (normal form) is `domain` or below it. */
export function isUnderDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * True for hosts no app may claim whatever the configuration: IP literals (also the
 * numeric forms a URL parser reads as IPv4, such as `2130706433` or `0x7f.1`) and
 * `localhost`.
 */
export function isAddressHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return true;
  if (host === 'localhost') return true;
  const last = host.split('.').at(-1) ?? '';
  // WHATWG URL: a host whose last label is a number (decimal, octal or 0x-hex) is an IPv4 address.
  return /^(0x[0-9a-f]*|\d+)$/i.test(last);
}

/** A normal form, or why there is none. */
type Normal = { value: string } | { problem: string };

function normalHost(input: string): Normal {
  if (input.length === 0) return { problem: 'a route needs a host name (e.g. "app.example.com")' };
  let host = input;
  if (host.startsWith('[')) return { problem: 'IP addresses cannot be routes: use a host name' };
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    // Not part of a route: apps answer on whatever port the router or Ingress listens on.
    return { problem: `a route has no port: write "${host.slice(0, colon)}" (the app answers on the port the router or Ingress listens on)` };
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (isIP(host) !== 0) return { problem: 'IP addresses cannot be routes: use a host name' };
  const ascii = domainToASCII(host.toLowerCase());
  if (!ascii) return { problem: `"${host}" is not a valid host name` };
  if (ascii.length > 253) return { problem: 'a host name must be at most 253 characters' };
  const labels = ascii.split('.');
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return {
      problem: bad === ''
        ? `"${host}" has an empty label (".." or a leading dot)`
        : `"${host}" is not a valid host name: labels are letters, digits and "-", 1-63 characters, not starting or ending with "-"`,
    };
  }
  if (isAddressHost(ascii)) return { problem: `"${ascii}" is an address of the machine, not a host name an app can claim` };
  return { value: ascii };
}

/** The path without trailing slash (`''` for "/"). */
function normalPath(input: string): Normal {
  const trimmed = input.replace(/\/+$/, '');
  if (trimmed === '') return { value: '' };
  const segments = trimmed.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '') return { problem: 'a route path must not contain "//"' };
    if (segment === '.' || segment === '..') return { problem: 'a route path must not contain "." or ".." segments' };
    if (!SEGMENT.test(segment)) return { problem: `a route path segment "${segment}" has characters a URL path cannot hold unencoded` };
    if (/%2f|%2e|%5c|%00/i.test(segment)) return { problem: 'a route path must not encode "/", ".", "\\" or NUL' };
  }
  return { value: trimmed };
}
