/**
 * `metadata` checks of apimachinery's `api/validation/objectmeta.go` (name through the kind's
 * name rule, generateName, namespace, labels, annotations, ownerReferences) and the
 * per-kind name rules of `pkg/apis/core/validation` (Service: DNS-1035 label, Namespace:
 * DNS-1123 label, everything else: DNS-1123 subdomain).
 */
import { each, forbidden, invalid, required, tooLong, type FieldError } from './field-errors.ts';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isLabelKey, isLabelValue } from './formats.ts';

type Meta = {
  name?: string; generateName?: string; namespace?: string;
  labels?: Record<string, unknown>; annotations?: Record<string, unknown>;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }[];
};

/** A kind's name rule: the messages for `name` (a generateName prefix may end in `-`). */
export type NameRule = (name: string, prefix: boolean) => string[];

// apimachinery's maskTrailingDash: a prefix may end in '-', the random suffix follows it.
const masked = (name: string, prefix: boolean): string => (prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);

/** NameIsDNSSubdomain. */
export const subdomainName: NameRule = (name, prefix) => isDNS1123Subdomain(masked(name, prefix));
/** NameIsDNSLabel (Namespace). */
export const labelName: NameRule = (name, prefix) => isDNS1123Label(masked(name, prefix));
/** NameIsDNS1035Label (Service). */
export const dns1035Name: NameRule = (name, prefix) => isDNS1035Label(masked(name, prefix));

/** The largest total of annotation keys and values (TotalAnnotationSizeLimitB). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** ValidateLabels: keys are qualified names, values label values; both reported on `path`. */
export function validateLabels(labels: Record<string, unknown> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    out.push(...each(path, k, isLabelKey(k)));
    const value = typeof v === 'string' ? v : String(v);
    out.push(...each(path, value, isLabelValue(value)));
  }
  return out;
}

/** ValidateAnnotations: keys are qualified names (case-insensitive), at most 256 KiB in all. */
export function validateAnnotations(annotations: Record<string, unknown> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    out.push(...each(path, k, isLabelKey(k.toLowerCase())));
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  if (size > ANNOTATIONS_MAX_BYTES) out.push(tooLong(path, ANNOTATIONS_MAX_BYTES));
  return out;
}

/** ValidateObjectMeta for an object of a kind with `nameRule`. */
export function validateObjectMeta(meta: Meta, namespaced: boolean, nameRule: NameRule): FieldError[] {
  const out: FieldError[] = [];
  if (meta.generateName) out.push(...each('metadata.generateName', meta.generateName, nameRule(meta.generateName, true)));
  if (!meta.name) out.push(required('metadata.name', 'name or generateName is required'));
  else out.push(...each('metadata.name', meta.name, nameRule(meta.name, false)));
  if (namespaced) {
    if (!meta.namespace) out.push(required('metadata.namespace'));
    else out.push(...each('metadata.namespace', meta.namespace, isDNS1123Label(meta.namespace)));
  } else if (meta.namespace) {
    out.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  out.push(...validateLabels(meta.labels, 'metadata.labels'));
  out.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  let controller = '';
  for (const ref of meta.ownerReferences ?? []) {
    const path = 'metadata.ownerReferences';
    if (!ref.apiVersion?.split('/').at(-1)) out.push(invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) out.push(invalid(`${path}.kind`, '', 'must not be empty'));
    if (!ref.name) out.push(invalid(`${path}.name`, '', 'must not be empty'));
    if (!ref.uid) out.push(invalid(`${path}.uid`, '', 'must not be empty'));
    if (ref.controller) {
      const here = `${ref.kind}/${ref.name}`;
      if (controller) out.push(invalid(path, meta.ownerReferences, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${here}`));
      else controller = here;
    }
  }
  return out;
}
