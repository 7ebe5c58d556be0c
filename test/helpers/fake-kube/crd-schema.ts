/** Validation of custom resources against their CRD's openAPIV3Schema, and the structural-schema check of CRDs. */
import { isObject } from './patch.ts';

/** One refused field (`reason`: the Status cause reason, FieldValueInvalid when absent). */
export type Cause = { field: string; message: string; reason?: string };

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number; maximum?: number; exclusiveMinimum?: boolean; exclusiveMaximum?: boolean;
  pattern?: string;
  minItems?: number; maxItems?: number; minLength?: number; maxLength?: number;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
};

const typeOf = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v === 'number' ? 'number' : isObject(v) ? 'object' : typeof v;

/** Refusals of `value` under `schema` (unknown fields are refused, not pruned, so typos fail tests). */
export function checkSchema(value: unknown, schema: Schema, path: string): Cause[] {
  const out: Cause[] = [];
  if (value === null) return schema.nullable ? [] : [{ field: path, message: 'Invalid value: "null": must not be null' }];
  const actual = typeOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') out.push({ field: path, message: `Invalid value: must be an integer or a string, got ${actual}` });
    return out;
  }
  const wanted = schema.type;
  if (wanted && wanted !== actual && !(wanted === 'number' && actual === 'integer')) {
    return [{ field: path, message: `Invalid value: ${JSON.stringify(value)}: must be of type ${wanted}` }];
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    out.push({ field: path, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) out.push({ field: path, message: `Invalid value: ${value}: should be greater than or equal to ${schema.minimum}` });
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) out.push({ field: path, message: `Invalid value: ${value}: should be less than or equal to ${schema.maximum}` });
  }
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) out.push({ field: path, message: `Invalid value: ${JSON.stringify(value)}: should match '${schema.pattern}'` });
    if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push({ field: path, message: `Too long: may not be more than ${schema.maxLength} bytes` });
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push({ field: path, message: `Invalid value: should be at least ${schema.minLength} chars long` });
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ field: path, message: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ field: path, message: `Invalid value: should have at least ${schema.minItems} items` });
    if (schema.items) value.forEach((item, i) => out.push(...checkSchema(item, schema.items!, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) out.push({ field: join(path, key), message: 'Required value' });
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    for (const [key, v] of Object.entries(value)) {
      const prop = schema.properties?.[key];
      if (prop) out.push(...checkSchema(v, prop, join(path, key)));
      else if (isObject(schema.additionalProperties)) out.push(...checkSchema(v, schema.additionalProperties, join(path, key)));
      else if (schema.additionalProperties === true || preserve) continue;
      else if (schema['x-kubernetes-embedded-resource'] && ['apiVersion', 'kind', 'metadata'].includes(key)) continue;
      else out.push({ field: join(path, key), message: 'unknown field' });
    }
  }
  return out;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** Refusals of a custom resource (apiVersion, kind and metadata are the API server's, not the schema's). */
export function checkCustomResource(object: Record<string, unknown>, schema: Schema | undefined): Cause[] {
  if (!schema) return [];
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = object;
  const root: Schema = { ...schema, properties: { ...schema.properties } };
  delete root.properties!.apiVersion;
  delete root.properties!.kind;
  delete root.properties!.metadata;
  return checkSchema(rest, root, '');
}

/** Refusals of a non-structural schema: every node needs a `type` unless it preserves unknown fields or is int-or-string. */
export function checkStructural(schema: unknown, path: string): Cause[] {
  if (!isObject(schema)) return [{ field: path, message: 'Required value: a schema is required' }];
  const s = schema as Schema;
  const out: Cause[] = [];
  if (!s.type && !s['x-kubernetes-preserve-unknown-fields'] && !s['x-kubernetes-int-or-string']) {
    out.push({ field: `${path}.type`, message: 'Required value: must not be empty for specified object fields' });
  }
  for (const [key, child] of Object.entries(s.properties ?? {})) out.push(...checkStructural(child, `${path}.properties[${key}]`));
  if (s.items) out.push(...checkStructural(s.items, `${path}.items`));
  if (isObject(s.additionalProperties)) out.push(...checkStructural(s.additionalProperties, `${path}.additionalProperties`));
  return out;
}
