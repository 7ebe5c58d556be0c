/**
 * Field paths in the FieldsV1 vocabulary (`f:spec`, `k:{"name":"web"}`), as server-side apply tracks them.
 * Simplification: a list whose items all carry a string `name` is an associative list keyed by name;
 * every other list is atomic (a leaf).
 */
import { isObject } from './patch.ts';

/** One path: a list of FieldsV1 segments. */
export type FieldPath = string[];

/** A stable string form of a path, for sets. */
export const pathKey = (p: FieldPath): string => JSON.stringify(p);

/** Is this list keyed by `name`? */
export function isNamedList(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && typeof x.name === 'string');
}

const itemSegment = (name: string): string => `k:${JSON.stringify({ name })}`;

/** The paths of one field `k` (value `v`) under `prefix`, appended to `out`. */
function fieldPaths(k: string, v: unknown, prefix: FieldPath, out: FieldPath[]): void {
  const here = [...prefix, `f:${k}`];
  if (isObject(v) && Object.keys(v).length > 0) out.push(...leafPaths(v, here));
  else if (isNamedList(v)) {
    for (const item of v) {
      const at = [...here, itemSegment(item.name as string)];
      out.push(at, ...leafPaths(item, at));
    }
  } else out.push(here);
}

/** The leaf paths (and associative-list item paths) set in `value`. */
export function leafPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) fieldPaths(k, v, prefix, out);
  return out;
}

/**
 * Paths that server-side apply and update tracking look at: labels, annotations, and everything but status — or only status.
 * The same paths, in the same order, as filtering {@link leafPaths} of the whole object, without walking the parts
 * left out (status, and metadata's managedFields, which grow with every manager).
 */
export function scopedPaths(object: unknown, subresource?: string): FieldPath[] {
  const out: FieldPath[] = [];
  if (!isObject(object)) return out;
  for (const [k, v] of Object.entries(object)) {
    if (subresource === 'status') {
      if (k === 'status') fieldPaths(k, v, [], out);
    } else if (k === 'metadata') {
      // Only metadata.labels and metadata.annotations count; other metadata (and a metadata that is no object) does not.
      if (!isObject(v)) continue;
      for (const [m, value] of Object.entries(v)) if (m === 'labels' || m === 'annotations') fieldPaths(m, value, ['f:metadata'], out);
    } else if (k !== 'status' && k !== 'apiVersion' && k !== 'kind') fieldPaths(k, v, [], out);
  }
  return out;
}

/** The value at `path`, or undefined. */
export function valueAt(object: unknown, path: FieldPath): unknown {
  let node: unknown = object;
  for (const seg of path) {
    if (seg.startsWith('f:') && isObject(node)) node = node[seg.slice(2)];
    else if (seg.startsWith('k:') && Array.isArray(node)) {
      const key = JSON.parse(seg.slice(2)) as { name: string };
      node = node.find((x) => isObject(x) && x.name === key.name);
    } else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Remove the field or list item at `path` (no-op when absent). */
export function removeAt(object: unknown, path: FieldPath): void {
  const parent = valueAt(object, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (last.startsWith('f:') && isObject(parent)) delete parent[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(parent)) {
    const key = JSON.parse(last.slice(2)) as { name: string };
    const i = parent.findIndex((x) => isObject(x) && x.name === key.name);
    if (i >= 0) parent.splice(i, 1);
  }
}

/** Paths → the nested FieldsV1 object (`{"f:spec":{"f:replicas":{}}}`; list items carry `".": {}`). */
export function toFieldsV1(paths: FieldPath[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) node = (node[seg] ??= {}) as Record<string, unknown>;
    if (p[p.length - 1]!.startsWith('k:')) node['.'] = {};
  }
  return root;
}

/** The nested FieldsV1 object → paths. */
export function fromFieldsV1(fields: unknown, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  if (!isObject(fields)) return out;
  for (const [seg, child] of Object.entries(fields)) {
    if (seg === '.') continue;
    const here = [...prefix, seg];
    const children = isObject(child) ? Object.keys(child).filter((k) => k !== '.') : [];
    if (seg.startsWith('k:')) out.push(here);
    if (children.length === 0 && !seg.startsWith('k:')) out.push(here);
    else out.push(...fromFieldsV1(child, here));
  }
  return out;
}

/** `.spec.template.spec.containers[name="web"].image`, for conflict messages. */
export function describePath(path: FieldPath): string {
  return path.map((seg) => (seg.startsWith('f:') ? `.${seg.slice(2)}` : `[name="${(JSON.parse(seg.slice(2)) as { name: string }).name}"]`)).join('');
}
