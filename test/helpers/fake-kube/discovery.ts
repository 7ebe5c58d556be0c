/** Legacy (non-aggregated) discovery documents, the format kubectl falls back to. */
import type { ResourceTable, ResourceInfo } from './resources.ts';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function entries(r: ResourceInfo): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: allVerbs,
    storageVersionHash: Buffer.from(`${r.group}/${r.plural}`).toString('base64').slice(0, 11),
  };
  if (r.shortNames.length > 0) main.shortNames = r.shortNames;
  if (r.categories.length > 0) main.categories = r.categories;
  const out = [main];
  if (r.status) out.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
  for (const sub of r.extraSubresources) out.push({ name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get'] });
  return out;
}

/** GET /api */
export function coreVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** GET /apis */
export function groupList(table: ResourceTable): unknown {
  return {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: table.groups().map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g.name}/${g.versions[0]}`, version: g.versions[0] },
    })),
  };
}

/** GET /apis/<group> */
export function group(table: ResourceTable, name: string): unknown | undefined {
  const g = table.groups().find((x) => x.name === name);
  if (!g) return undefined;
  return {
    kind: 'APIGroup', apiVersion: 'v1', name,
    versions: g.versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${g.versions[0]}`, version: g.versions[0] },
  };
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when nothing is served there. */
export function resourceList(table: ResourceTable, groupName: string, version: string): unknown | undefined {
  const served = table.all().filter((r) => r.group === groupName && r.version === version);
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1',
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources: served.flatMap(entries),
  };
}

/** GET /version, as a 1.31 server answers. */
export function version(): unknown {
  return {
    major: '1', minor: '31', gitVersion: 'v1.31.0-fake', gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2024-08-13T00:00:00Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64',
  };
}
