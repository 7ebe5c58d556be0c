/**
 * Unknown-field detection for built-in kinds, walking client-node's model classes
 * (`V1Deployment.getAttributeTypeMap()`: `baseName` is the JSON name). kubernetes-models checks
 * types, required fields and enums but lets unknown fields through; this catches `imagee`.
 */
import * as models from '@kubernetes/client-node';

type Attribute = { name: string; baseName: string; type: string };
type ModelClass = { getAttributeTypeMap(): Attribute[] };

const registry = models as unknown as Record<string, ModelClass | undefined>;

function modelClass(type: string): ModelClass | undefined {
  const c = registry[type];
  return c && typeof c.getAttributeTypeMap === 'function' ? c : undefined;
}

/** What a type name says, worked out once per name (the walk runs on every object written). */
type Shape =
  | { kind: 'list'; item: string }
  | { kind: 'map'; item: string; itemIsModel: boolean }
  | { kind: 'model'; fields: Map<string, string> }
  | { kind: 'other' };

const shapes = new Map<string, Shape>();

function shapeOf(type: string): Shape {
  let shape = shapes.get(type);
  if (shape) return shape;
  const list = /^Array<(.+)>$/.exec(type);
  const map = !list && /^\{ \[key: string\]: (.+); \}$/.exec(type);
  const model = !list && !map ? modelClass(type) : undefined;
  if (list) shape = { kind: 'list', item: list[1]! };
  else if (map) shape = { kind: 'map', item: map[1]!, itemIsModel: modelClass(map[1]!) !== undefined };
  else if (model) {
    // The first attribute with a JSON name wins, as a linear search would find it.
    const fields = new Map<string, string>();
    for (const a of model.getAttributeTypeMap()) if (!fields.has(a.baseName)) fields.set(a.baseName, a.type);
    shape = { kind: 'model', fields };
  } else shape = { kind: 'other' };
  shapes.set(type, shape);
  return shape;
}

/** Paths (`spec.template.spec.containers[0].imagee`) of the fields `value` has that `type` does not know. */
export function unknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === null || value === undefined) return [];
  const shape = shapeOf(type);
  if (shape.kind === 'list') return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, shape.item, `${path}[${i}]`)) : [];
  if (shape.kind === 'map') {
    if (!shape.itemIsModel || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => unknownFields(v, shape.item, `${path}[${k}]`));
  }
  // Scalars, `any`, `object`, IntOrString, Date, MicroTime: accept anything here (types are kubernetes-models' job).
  if (shape.kind !== 'model' || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const type = shape.fields.get(key);
    const here = path ? `${path}.${key}` : key;
    if (type === undefined) out.push(here);
    else out.push(...unknownFields(v, type, here));
  }
  return out;
}
