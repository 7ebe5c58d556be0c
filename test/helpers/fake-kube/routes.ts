/** Parse request paths into discovery documents or resource addresses. */
import type { ResourceInfo, ResourceTable } from './resources.ts';

/** What a path addresses. */
export type Route =
  | { type: 'discovery'; doc: 'version' | 'api' | 'apis' | 'group' | 'resources'; group: string; version: string }
  | { type: 'resource'; r: ResourceInfo; ns?: string; name?: string; subresource?: string; watchPath: boolean }
  | { type: 'unknown' };

/**
 * `/api/v1[/watch][/namespaces/NS]/PLURAL[/NAME[/SUB]]` and the same under `/apis/GROUP/VERSION`.
 * `/api/v1/namespaces/NAME[/status]` is the namespace itself.
 */
export function parseRoute(pathname: string, table: ResourceTable): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 1 && parts[0] === 'version') return { type: 'discovery', doc: 'version', group: '', version: '' };
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'discovery', doc: 'api', group: '', version: '' };
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'discovery', doc: 'apis', group: '', version: '' };
    if (parts.length === 2) return { type: 'discovery', doc: 'group', group: parts[1]!, version: '' };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return { type: 'unknown' };
  if (rest.length === 0) return { type: 'discovery', doc: 'resources', group, version };
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let ns: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !['status', 'finalize'].includes(rest[2]!)) {
    ns = rest[1];
    rest = rest.slice(2);
  }
  const r = table.find(group, version, rest[0]!);
  if (!r || rest.length > 3) return { type: 'unknown' };
  return { type: 'resource', r, ns, name: rest[1], subresource: rest[2], watchPath };
}
