/**
 * kube-apiserver's semantic validation (`pkg/apis/*\/validation`, apimachinery's
 * `api/validation/objectmeta.go`) for the kinds Slipway writes: what the OpenAPI schema
 * lets through but a real cluster refuses (names, labels, port names, env var names,
 * selectors, Ingress paths, Secret keys …). The per-kind rules are in `semantic/`.
 */
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './store.ts';
import type { FieldError } from './semantic/field-errors.ts';
import { dns1035Name, labelName, subdomainName, validateObjectMeta, type NameRule } from './semantic/object-meta.ts';
import { validateDeployment, validateJob, validatePod, validateReplicaSet } from './semantic/workloads.ts';
import { validateService } from './semantic/service.ts';
import { validateIngress } from './semantic/ingress.ts';
import { validateConfigMap, validateSecret } from './semantic/secret.ts';
import { validateEvent, validateLease, validatePersistentVolumeClaim } from './semantic/small-kinds.ts';

type Obj = Record<string, unknown>;
type KindRules = { name: NameRule; spec?: (o: Obj, old?: Obj) => FieldError[] };

const kinds: Record<string, KindRules> = {
  '/Namespace': { name: labelName },
  '/Service': { name: dns1035Name, spec: validateService },
  '/Pod': { name: subdomainName, spec: validatePod },
  '/Secret': { name: subdomainName, spec: validateSecret },
  '/ConfigMap': { name: subdomainName, spec: validateConfigMap },
  '/PersistentVolumeClaim': { name: subdomainName, spec: validatePersistentVolumeClaim },
  'apps/Deployment': { name: subdomainName, spec: validateDeployment },
  'apps/ReplicaSet': { name: subdomainName, spec: validateReplicaSet },
  'batch/Job': { name: subdomainName, spec: validateJob },
  'networking.k8s.io/Ingress': { name: subdomainName, spec: validateIngress },
  'coordination.k8s.io/Lease': { name: subdomainName, spec: validateLease },
};

/** The semantic refusals of `o` (a create when `old` is undefined, else an update of `old`). */
export function semanticErrors(r: ResourceInfo, o: KubeObject, old?: KubeObject): FieldError[] {
  const key = `${r.group}/${r.kind}`;
  // core/v1 Events skip ObjectMeta validation altogether (events.go keeps it for events.k8s.io only).
  if (key === '/Event') return validateEvent(o);
  const rules = kinds[key] ?? { name: subdomainName };
  const errors = validateObjectMeta(o.metadata, r.namespaced, rules.name);
  return rules.spec ? [...errors, ...rules.spec(o as Obj, old as Obj | undefined)] : errors;
}
