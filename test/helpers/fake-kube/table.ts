/** A minimal `meta.k8s.io/v1` Table, for kubectl's default `get` output. */
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './store.ts';

type PrinterColumn = { name: string; type: string; jsonPath: string; description?: string; priority?: number };

function age(created: string | undefined): string {
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(created)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

// The JSONPath subset printer columns use: `.a.b`, `[0]`, and `[?(@.key=="value")]` (first match).
function read(o: unknown, jsonPath: string): unknown {
  let node = o;
  for (const step of jsonPath.match(/\.[^.[]+|\[[^\]]*\]/g) ?? []) {
    if (typeof node !== 'object' || node === null) return undefined;
    const filter = /^\[\?\(@\.([\w-]+)\s*==\s*["']([^"']*)["']\)\]$/.exec(step);
    if (filter) node = Array.isArray(node) ? node.find((item) => (item as Record<string, unknown>)?.[filter[1]!] === filter[2]) : undefined;
    else if (step.startsWith('[')) node = Array.isArray(node) ? node[Number(step.slice(1, -1))] : undefined;
    else node = (node as Record<string, unknown>)[step.slice(1)];
  }
  return node;
}

/** Turn a list (or one object) into a Table with NAME, the CRD's printer columns, and AGE. */
export function toTable(r: ResourceInfo & { printerColumns?: PrinterColumn[] }, body: unknown): unknown {
  const b = body as { kind?: string; items?: KubeObject[]; metadata?: { resourceVersion?: string } };
  if (b.kind === 'Status') return body;
  const items = Array.isArray(b.items) ? b.items : [body as KubeObject];
  const extra = (r.printerColumns ?? []).filter((c) => c.name.toLowerCase() !== 'age');
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: b.metadata?.resourceVersion ?? '' },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the object', priority: 0 },
      ...extra.map((c) => ({ name: c.name, type: c.type, format: '', description: c.description ?? '', priority: c.priority ?? 0 })),
      { name: 'Age', type: 'string', format: '', description: 'Time since creation', priority: 0 },
    ],
    rows: items.map((o) => ({
      cells: [o.metadata.name, ...extra.map((c) => read(o, c.jsonPath) ?? ''), age(o.metadata.creationTimestamp)],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
