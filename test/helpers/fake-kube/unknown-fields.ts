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

/** Paths (`spec.template.spec.containers[0].imagee`) of the fields `value` has that `type` does not know. */
export function unknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === null || value === undefined) return [];
  const list = /^Array<(.+)>$/.exec(type);
  if (list) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, list[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!modelClass(map[1]!) || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}[${k}]`));
  }
  const model = modelClass(type);
  // Scalars, `any`, `object`, IntOrString, Date, MicroTime: accept anything here (types are kubernetes-models' job).
  if (!model || typeof value !== 'object' || Array.isArray(value)) return [];
  const attributes = model.getAttributeTypeMap();
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    const here = path ? `${path}.${key}` : key;
    if (!attribute) out.push(here);
    else out.push(...unknownFields(v, attribute.type, here));
  }
  return out;
}
