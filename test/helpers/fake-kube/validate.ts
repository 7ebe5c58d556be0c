/** Validation of every object written: kubernetes-models schemas, unknown fields, kube-apiserver's semantic rules, CRD schemas. */
import { checkCustomResource, checkStructural, type Cause } from './crd-schema.ts';
import { unknownFields } from './unknown-fields.ts';
import { semanticErrors } from './semantic-validation.ts';
import type { ResourceTable } from './resources.ts';
import type { Validator } from './objects.ts';
import type { KubeObject } from './store.ts';

type Model = new (data: unknown) => { validate(): void };
type AjvError = { instancePath: string; message?: string; params?: Record<string, unknown> };

// `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`
function fieldOf(pointer: string): string {
  return pointer.split('/').filter((p) => p !== '').map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function crdChecks(o: KubeObject): Cause[] {
  const spec = (o.spec ?? {}) as { group?: string; names?: { plural?: string }; versions?: { schema?: { openAPIV3Schema?: unknown } }[] };
  const out: Cause[] = [];
  if (o.metadata.name !== `${spec.names?.plural}.${spec.group}`) out.push({ field: 'metadata.name', message: `Invalid value: "${o.metadata.name}": must be spec.names.plural+"."+spec.group` });
  (spec.versions ?? []).forEach((v, i) => {
    if (v.schema?.openAPIV3Schema !== undefined) out.push(...checkStructural(v.schema.openAPIV3Schema, `spec.versions[${i}].schema.openAPIV3Schema`));
  });
  return out;
}

/** Build the validator (loads kubernetes-models' classes for the built-in kinds). */
export async function createValidator(table: ResourceTable): Promise<Validator> {
  const schemas = new Map<string, Model>();
  for (const r of table.all()) {
    const module = (await import(`kubernetes-models/${r.group ? `${r.group}/` : ''}${r.version}`)) as Record<string, Model | undefined>;
    const model = module[r.kind];
    if (model) schemas.set(`${r.group}/${r.version}/${r.kind}`, model);
  }
  return (r, o, old) => {
    const out: Cause[] = semanticErrors(r, o, old);
    if (r.schema || !r.model) return [...out, ...checkCustomResource(o, r.schema)];
    const Model = schemas.get(`${r.group}/${r.version}/${r.kind}`);
    if (Model) {
      try {
        new Model(o).validate();
      } catch (e) {
        const errors = (e as { errors?: AjvError[] }).errors ?? [{ instancePath: '', message: (e as Error).message }];
        for (const err of errors) out.push({ field: fieldOf(err.instancePath) || '<root>', message: `Invalid value: ${err.message ?? 'invalid'}${err.params?.allowedValues ? ` (${JSON.stringify(err.params.allowedValues)})` : ''}` });
      }
    }
    for (const field of unknownFields(o, r.model)) out.push({ field, message: 'unknown field' });
    if (r.kind === 'CustomResourceDefinition') out.push(...crdChecks(o));
    return out;
  };
}
