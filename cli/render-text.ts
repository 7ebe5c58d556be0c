/**
 * Human output of each command's result (the default; `--output json` prints the
 * result itself). Kept apart from the commands so they only return data.
 */
import type { App, Namespace } from '../core/types.ts';
import { redactUrl } from '../core/redact.ts';
import type { NamespaceSummary } from './api-client.ts';
import type { LoginResult } from './commands/login.ts';
import type { PushResult } from './commands/push.ts';
import { formatBytes } from './output.ts';

/** Left-aligned columns with a header row. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const fields = (pairs: Array<[string, string | number | undefined]>) => {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n');
};

/** `slipway login`. */
export function loginText(r: LoginResult): string {
  return `Logged in to ${redactUrl(r.url)} as ${r.user} (Slipway ${r.version}, runtime ${r.runtime}).\nSettings saved in ${r.settingsFile}.`;
}

/** `slipway push`. */
export function pushText(r: PushResult): string {
  const source = r.origin === 'path'
    ? `directory, ${r.entries ?? 0} entries, ${formatBytes(r.size ?? 0)} stored`
    : r.origin === 'git' ? 'git' : 'container image';
  const lines = fields([
    ['App', `${r.app} (${r.created ? 'created' : 'updated'})`],
    ['Namespace', r.namespace],
    ['Source', source],
    ['Image', r.image],
    ['Blob', r.blobuid],
    ['Revision', r.revision],
    ['Branch', r.branch],
  ]);
  const next = r.runtime === 'none'
    ? 'The source is stored. Staging needs a runtime: start the server with SLIPWAY_RUNTIME=local (or kubernetes).'
    : `The source is stored. The server's runtime is ${r.runtime}; staging from the CLI is not available yet.`;
  return `${lines}\n\n${next}`;
}

function sourceSummary(app: App): string {
  const s = app.status.source;
  if (!s) return '-';
  return s.revision ? `${s.revision.slice(0, 12)}${s.branch ? ` (${s.branch})` : ''}` : s.blobuid;
}

/** `slipway apps list`. */
export function appsListText(apps: App[], namespace: string): string {
  if (apps.length === 0) return `No applications in namespace ${namespace}. Create one with \`slipway push --name NAME\`.`;
  return table(['NAME', 'INSTANCES', 'ORIGIN', 'SOURCE', 'CREATED'], apps.map((a) => [
    a.metadata.name, String(a.spec.instances), a.spec.origin?.kind ?? '-', sourceSummary(a), a.metadata.createdAt,
  ]));
}

/** `slipway apps show`. */
export function appShowText(app: App): string {
  const origin = app.spec.origin;
  const originText = !origin ? undefined
    : origin.kind === 'git' ? `git ${redactUrl(origin.url)}${origin.revision ? ` @ ${origin.revision}` : ''}${origin.subdir ? ` (subdir ${origin.subdir})` : ''}${origin.watch ? ', watched' : ''}`
    : origin.kind === 'container' ? `container ${origin.image}` : 'directory push';
  const s = app.status.source;
  const env = Object.keys(app.spec.env ?? {}).sort();
  return fields([
    ['Name', app.metadata.name],
    ['Namespace', app.metadata.namespace],
    ['Created', app.metadata.createdAt],
    ['Origin', originText],
    ['Instances', app.spec.instances],
    ['Routes', app.spec.routes?.length ? app.spec.routes.join(', ') : undefined],
    ['Environment', env.length ? env.join(', ') : undefined],
    ['Builder', app.spec.builder],
    ['Source blob', s?.blobuid],
    ['Source revision', s?.revision],
    ['Source branch', s?.branch],
    ['Source size', s ? formatBytes(s.size) : undefined],
    ['Source stored', s?.createdAt],
  ]);
}

/** `slipway apps delete`. */
export function appDeleteText(r: { deleted: string; namespace: string }): string {
  return `Deleted application ${r.deleted} from namespace ${r.namespace}.`;
}

/** `slipway namespaces list`. */
export function namespacesListText(list: NamespaceSummary[]): string {
  if (list.length === 0) return 'No namespaces. Create one with `slipway namespaces create NAME`.';
  return table(['NAME', 'APPS', 'CREATED'], list.map((n) => [n.name, n.apps.length ? n.apps.join(', ') : '-', n.createdAt]));
}

/** `slipway namespaces create`. */
export function namespaceCreateText(ns: Namespace): string {
  return `Created namespace ${ns.name}.`;
}
