/**
 * Unknown fields in an object meant for the Kubernetes API, found by walking
 * client-node's model classes (`getAttributeTypeMap`): kubernetes-models validates
 * types and required fields but lets a typo such as `imagee` through (TESTING.md).
 */
import * as k8s from '@kubernetes/client-node';

type AttributeMap = { baseName: string; type: string }[];
type Model = { getAttributeTypeMap(): AttributeMap };

/** Paths of every field of `value` (typed `type`, e.g. `V1Job`) that the model does not know. */
export function unknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(item, array[1]!, `${path}[${i}]`)) : [`${path} (not a list)`];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`));
  const model = (k8s as unknown as Record<string, Model | undefined>)[type];
  if (!model || typeof model.getAttributeTypeMap !== 'function') return [];
  const attributes = model.getAttributeTypeMap();
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const attribute = attributes.find((a) => a.baseName === key);
    return attribute ? unknownFields(v, attribute.type, `${path}.${key}`) : [`${path}.${key}`];
  });
}
