/** JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a "good enough" strategic merge patch. */
import { cloneJson } from './json-clone.ts';
import { isDeepStrictEqual } from 'node:util';
import { badRequest, KubeError } from './status.ts';

type Json = unknown;
type JsonObject = Record<string, Json>;

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Strategic merge: a merge patch where lists of objects with `name` merge by name; `$patch: delete` removes an item. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (Array.isArray(patch) && Array.isArray(target) && isNamedList(patch) && isNamedList(target)) {
    const out = target.map((item) => cloneJson(item)) as JsonObject[];
    for (const item of patch as JsonObject[]) {
      const at = out.findIndex((x) => x.name === item.name);
      if (item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMergePatch(out[at], item) as JsonObject;
      else out.push(cloneJson(item));
    }
    return out;
  }
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v);
  }
  return out;
}

function isNamedList(list: Json[]): boolean {
  return list.every((x) => isObject(x) && typeof x.name === 'string');
}

type Op = { op: string; path: string; value?: Json; from?: string };

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function parentOf(doc: Json, parts: string[], path: string): Json {
  let node = doc;
  for (const p of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(p)] : isObject(node) ? node[p] : undefined;
    if (node === undefined) throw unprocessable(`missing path: ${path}`);
  }
  return node;
}

function unprocessable(message: string): KubeError {
  const e = badRequest(`the server rejected our request due to an error in our request: ${message}`);
  e.status.code = 422;
  e.status.reason = 'Invalid';
  return e;
}

function read(doc: Json, path: string): Json {
  let node = doc;
  for (const p of pointer(path)) {
    node = Array.isArray(node) ? node[Number(p)] : isObject(node) ? node[p] : undefined;
    if (node === undefined) throw unprocessable(`missing path: ${path}`);
  }
  return node;
}

function add(doc: Json, path: string, value: Json): Json {
  const parts = pointer(path);
  if (parts.length === 0) return cloneJson(value);
  const parent = parentOf(doc, parts, path);
  const last = parts[parts.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length)) throw unprocessable(`index out of range: ${path}`);
    parent.splice(i, 0, cloneJson(value));
  } else if (isObject(parent)) parent[last] = cloneJson(value);
  else throw unprocessable(`cannot add at ${path}`);
  return doc;
}

function remove(doc: Json, path: string): Json {
  const parts = pointer(path);
  const parent = parentOf(doc, parts, path);
  const last = parts[parts.length - 1]!;
  if (Array.isArray(parent) && Number(last) < parent.length) parent.splice(Number(last), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw unprocessable(`unable to remove nonexistent key: ${last}`);
  return doc;
}

/** RFC 6902 add/remove/replace/test/move/copy, applied in order to a copy of `target`. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = cloneJson(target);
  for (const op of ops as Op[]) {
    switch (op.op) {
      case 'add': doc = add(doc, op.path, op.value); break;
      case 'remove': doc = remove(doc, op.path); break;
      case 'replace': read(doc, op.path); doc = add(remove(doc, op.path), op.path, op.value); break;
      case 'test':
        if (!isDeepStrictEqual(read(doc, op.path), op.value)) throw unprocessable(`testing value ${op.path} failed`);
        break;
      case 'move': { const v = read(doc, op.from!); doc = add(remove(doc, op.from!), op.path, v); break; }
      case 'copy': doc = add(doc, op.path, read(doc, op.from!)); break;
      default: throw badRequest(`unexpected json patch operation: ${op.op}`);
    }
  }
  return doc;
}
