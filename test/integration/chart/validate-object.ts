/**
 * Checks a rendered Kubernetes object the way an API server would, as far as we can
 * without one: `kubernetes-models` validates types, required fields and enums against
 * Kubernetes' schemas but lets unknown fields through, so a walk over client-node's
 * model attribute maps catches those (a typo such as `imagee` or `readinesProbe`).
 */
import * as k8s from '@kubernetes/client-node';

interface Validatable {
  validate(): void;
}
// `never`: each class wants its own input type; the point here is to validate whatever was rendered.
type ModelClass = new (data: never) => Validatable;

/** kubernetes-models class of each kind the chart renders, by `apiVersion/kind`. */
const SCHEMAS: Record<string, () => Promise<ModelClass>> = {
  'v1/ServiceAccount': async () => (await import('kubernetes-models/v1')).ServiceAccount,
  'v1/Secret': async () => (await import('kubernetes-models/v1')).Secret,
  'v1/Service': async () => (await import('kubernetes-models/v1')).Service,
  'v1/PersistentVolumeClaim': async () => (await import('kubernetes-models/v1')).PersistentVolumeClaim,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1')).Deployment,
  'networking.k8s.io/v1/Ingress': async () => (await import('kubernetes-models/networking.k8s.io/v1')).Ingress,
  'policy/v1/PodDisruptionBudget': async () => (await import('kubernetes-models/policy/v1')).PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1')).ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1')).ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1')).Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1')).RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': async () => (await import('kubernetes-models/apiextensions.k8s.io/v1')).CustomResourceDefinition,
};

type AttributeMap = { name: string; baseName: string; type: string }[];
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;

/** Paths of fields the client-node model of `type` does not know, under `path`. */
function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(item, array[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return typeof value === 'object' ? Object.entries(value).flatMap(([key, item]) => unknownFields(item, map[1]!, `${path}.${key}`)) : [];
  const attributes = models[type]?.getAttributeTypeMap?.();
  if (!attributes || typeof value !== 'object') return []; // string, number, any, IntOrString, …
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const fieldType = known.get(key);
    return fieldType === undefined ? [`${path}.${key}`] : unknownFields(item, fieldType, `${path}.${key}`);
  });
}

/**
 * cert-manager's kinds are not in kubernetes-models: the fields the chart uses, checked
 * by hand against cert-manager.io/v1 (pkg/apis/certmanager/v1 types): the spec keys it
 * knows, and what its webhook requires (one issuer type; ACME server, account key
 * Secret and solvers; a Certificate's secretName, issuerRef and at least one name).
 */
const CERT_MANAGER_SPEC_KEYS: Record<string, string[]> = {
  ClusterIssuer: ['acme', 'ca', 'selfSigned', 'vault', 'venafi'],
  Issuer: ['acme', 'ca', 'selfSigned', 'vault', 'venafi'],
  Certificate: ['secretName', 'issuerRef', 'dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'commonName', 'duration', 'renewBefore', 'usages', 'privateKey', 'isCA', 'subject', 'secretTemplate'],
};

function certManagerProblems(object: Record<string, any>): string[] {
  const id = `${object.apiVersion}/${object.kind}`;
  const keys = CERT_MANAGER_SPEC_KEYS[object.kind];
  if (object.apiVersion !== 'cert-manager.io/v1' || !keys) return [`no schema known for ${id}`];
  const problems: string[] = [];
  const spec = object.spec ?? {};
  if (!object.metadata?.name) problems.push(`${id}: metadata.name is required`);
  for (const key of Object.keys(object)) if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) problems.push(`${id}: unknown field ${key}`);
  for (const key of Object.keys(spec)) if (!keys.includes(key)) problems.push(`${id}: unknown field spec.${key}`);
  if (object.kind === 'Certificate') {
    if (typeof spec.secretName !== 'string' || !spec.secretName) problems.push(`${id}: spec.secretName is required`);
    if (typeof spec.issuerRef?.name !== 'string') problems.push(`${id}: spec.issuerRef.name is required`);
    if (!spec.dnsNames?.length && !spec.ipAddresses?.length && !spec.commonName) problems.push(`${id}: at least one name is required`);
    return problems;
  }
  const types = Object.keys(spec).filter((key) => keys.includes(key));
  if (types.length !== 1) problems.push(`${id}: exactly one issuer type is required, got ${types.join(',') || 'none'}`);
  if (spec.acme) {
    for (const key of Object.keys(spec.acme)) if (!['server', 'email', 'privateKeySecretRef', 'solvers', 'skipTLSVerify', 'externalAccountBinding', 'preferredChain'].includes(key)) problems.push(`${id}: unknown field spec.acme.${key}`);
    if (!/^https:\/\//.test(spec.acme.server ?? '')) problems.push(`${id}: spec.acme.server must be an https URL`);
    if (!spec.acme.privateKeySecretRef?.name) problems.push(`${id}: spec.acme.privateKeySecretRef.name is required`);
    for (const solver of spec.acme.solvers ?? []) {
      const ingress = solver.http01?.ingress;
      if (!ingress) problems.push(`${id}: only http01.ingress solvers are checked`);
      else for (const key of Object.keys(ingress)) if (!['class', 'ingressClassName', 'name', 'serviceType', 'podTemplate', 'ingressTemplate'].includes(key)) problems.push(`${id}: unknown field http01.ingress.${key}`);
    }
  }
  if (spec.ca && !spec.ca.secretName) problems.push(`${id}: spec.ca.secretName is required`);
  return problems;
}

/**
 * prometheus-operator's ServiceMonitor is not in kubernetes-models either: the fields the
 * chart uses, checked by hand against monitoring.coreos.com/v1 (pkg/apis/monitoring/v1
 * servicemonitor_types.go, Endpoint in endpoints.go): a selector, endpoints with a named
 * port, durations in Prometheus' format, and `authorization` credentials as a Secret key.
 */
function serviceMonitorProblems(object: Record<string, any>): string[] {
  const id = `${object.apiVersion}/${object.kind}`;
  if (object.apiVersion !== 'monitoring.coreos.com/v1' || object.kind !== 'ServiceMonitor') return [`no schema known for ${id}`];
  const problems: string[] = [];
  const spec = object.spec ?? {};
  const known = (value: Record<string, unknown>, keys: string[], path: string) => {
    for (const key of Object.keys(value ?? {})) if (!keys.includes(key)) problems.push(`${id}: unknown field ${path}.${key}`);
  };
  known(spec, ['selector', 'namespaceSelector', 'endpoints', 'jobLabel', 'targetLabels', 'podTargetLabels', 'sampleLimit', 'attachMetadata'], 'spec');
  if (!spec.selector) problems.push(`${id}: spec.selector is required`);
  if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) problems.push(`${id}: spec.endpoints needs at least one endpoint`);
  const duration = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
  (spec.endpoints ?? []).forEach((endpoint: Record<string, any>, i: number) => {
    const path = `spec.endpoints[${i}]`;
    known(endpoint, ['port', 'targetPort', 'path', 'scheme', 'interval', 'scrapeTimeout', 'authorization', 'bearerTokenSecret', 'tlsConfig', 'honorLabels', 'relabelings', 'metricRelabelings', 'params'], path);
    if (typeof endpoint.port !== 'string' && endpoint.targetPort === undefined) problems.push(`${id}: ${path} needs a port name`);
    for (const key of ['interval', 'scrapeTimeout']) if (endpoint[key] !== undefined && !duration.test(endpoint[key])) problems.push(`${id}: ${path}.${key} is not a duration`);
    if (endpoint.authorization) {
      known(endpoint.authorization, ['type', 'credentials'], `${path}.authorization`);
      if (!endpoint.authorization.credentials?.name || !endpoint.authorization.credentials?.key) problems.push(`${id}: ${path}.authorization.credentials needs name and key`);
    }
  });
  return problems;
}

/** Problems of one object: schema violations and unknown fields; empty when it is valid. */
export async function validateObject(object: { apiVersion?: string; kind?: string }): Promise<string[]> {
  const id = `${object.apiVersion}/${object.kind}`;
  if (object.apiVersion?.startsWith('cert-manager.io/')) return certManagerProblems(object);
  if (object.apiVersion?.startsWith('monitoring.coreos.com/')) return serviceMonitorProblems(object);
  const load = SCHEMAS[id];
  if (!load) return [`no schema known for ${id}: add it to SCHEMAS`];
  const problems: string[] = [];
  try {
    new (await load())(object as never).validate();
  } catch (error) {
    problems.push(`${id}: ${(error as Error).message}`);
  }
  const model = object.kind === 'CustomResourceDefinition' ? 'V1CustomResourceDefinition' : `V1${object.kind}`;
  for (const field of unknownFields(object, model, object.kind ?? '')) problems.push(`${id}: unknown field ${field}`);
  return problems;
}
