/**
 * Pod spec checks of `pkg/apis/core/validation/validation.go` (validatePodSpec,
 * validateContainers, validateContainerPorts, ValidateEnv, ValidateVolumes,
 * ValidateVolumeMounts, ValidateResourceRequirements) and ValidatePodTemplateSpec.
 */
import { duplicate, each, forbidden, invalid, notFoundValue, notSupported, required, type FieldError } from './field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName, isValidPortNum } from './formats.ts';
import { validateAnnotations, validateLabels } from './object-meta.ts';
import { parseQuantity } from './quantity.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** A port given by number or IANA_SVC_NAME (probes, Service targetPort). */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return each(path, port, isValidPortNum(port));
  if (typeof port === 'string') return each(path, port, isValidPortName(port));
  return [];
}

function containerPorts(ports: Obj[], path: string): FieldError[] {
  const out: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    const name = str(p.name);
    if (name) {
      out.push(...each(`${at}.name`, name, isValidPortName(name)));
      if (names.has(name)) out.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    if (p.containerPort === undefined || p.containerPort === 0) out.push(required(`${at}.containerPort`));
    else out.push(...each(`${at}.containerPort`, p.containerPort, isValidPortNum(p.containerPort as number)));
    if (p.hostPort !== undefined && p.hostPort !== 0) out.push(...each(`${at}.hostPort`, p.hostPort, isValidPortNum(p.hostPort as number)));
    if (p.protocol !== undefined && !PROTOCOLS.includes(str(p.protocol))) out.push(notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
  });
  return out;
}

function env(vars: Obj[], path: string): FieldError[] {
  const out: FieldError[] = [];
  vars.forEach((v, i) => {
    const name = str(v.name);
    if (!name) out.push(required(`${path}[${i}].name`));
    else out.push(...each(`${path}[${i}].name`, name, isEnvVarName(name)));
  });
  return out;
}

function envFrom(sources: Obj[], path: string): FieldError[] {
  const out: FieldError[] = [];
  sources.forEach((s, i) => {
    const at = `${path}[${i}]`;
    if (s.prefix) out.push(...each(`${at}.prefix`, s.prefix, isEnvVarName(str(s.prefix))));
    const refs = ['configMapRef', 'secretRef'].filter((k) => s[k] !== undefined);
    if (refs.length > 1) out.push(invalid(at, '', 'may not have more than one field specified at a time'));
    for (const k of refs) {
      const name = str(obj(s[k]).name);
      if (!name) out.push(required(`${at}.${k}.name`));
      else out.push(...each(`${at}.${k}.name`, name, isDNS1123Subdomain(name)));
    }
  });
  return out;
}

function mounts(list_: Obj[], volumes: Set<string>, path: string): FieldError[] {
  const out: FieldError[] = [];
  const paths = new Set<string>();
  list_.forEach((m, i) => {
    const at = `${path}[${i}]`;
    const name = str(m.name);
    if (!name) out.push(required(`${at}.name`));
    else if (!volumes.has(name)) out.push(notFoundValue(`${at}.name`, name));
    const mountPath = str(m.mountPath);
    if (!mountPath) out.push(required(`${at}.mountPath`));
    else if (paths.has(mountPath)) out.push(invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
    const sub = str(m.subPath);
    if (sub) out.push(...relativePath(sub, `${at}.subPath`));
  });
  return out;
}

/** validateLocalDescendingPath: relative, no `..` element. */
function relativePath(p: string, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (p.startsWith('/')) out.push(invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) out.push(invalid(path, p, "must not contain '..'"));
  return out;
}

function resources(r: Obj, path: string): FieldError[] {
  const out: FieldError[] = [];
  const limits = obj(r.limits);
  for (const [name, q] of Object.entries(obj(r.requests))) {
    const request = parseQuantity(q);
    if (request !== undefined && request < 0) out.push(invalid(`${path}.requests[${name}]`, q, 'must be greater than or equal to 0'));
    const limit = parseQuantity(limits[name]);
    if (request !== undefined && limit !== undefined && request > limit) {
      out.push(invalid(`${path}.requests`, q, `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  for (const [name, q] of Object.entries(limits)) {
    const limit = parseQuantity(q);
    if (limit !== undefined && limit < 0) out.push(invalid(`${path}.limits[${name}]`, q, 'must be greater than or equal to 0'));
  }
  return out;
}

function probe(p: unknown, path: string): FieldError[] {
  if (!p) return [];
  const o = obj(p);
  return [
    ...validatePortNumOrName(obj(o.httpGet).port, `${path}.httpGet.port`),
    ...validatePortNumOrName(obj(o.tcpSocket).port, `${path}.tcpSocket.port`),
  ];
}

function volumes(vols: Obj[], path: string): { errors: FieldError[]; names: Set<string> } {
  const out: FieldError[] = [];
  const names = new Set<string>();
  vols.forEach((v, i) => {
    const at = `${path}[${i}]`;
    const name = str(v.name);
    if (!name) out.push(required(`${at}.name`));
    else {
      out.push(...each(`${at}.name`, name, isDNS1123Label(name)));
      if (names.has(name)) out.push(duplicate(`${at}.name`, name));
    }
    names.add(name);
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
    if (sources.length === 0) out.push(required(at, 'must specify a volume type'));
    else if (sources.length > 1) out.push(forbidden(`${at}.${sources[1]}`, 'may not specify more than 1 volume type'));
    const secret = v.secret === undefined ? undefined : obj(v.secret);
    if (secret) {
      if (!str(secret.secretName)) out.push(required(`${at}.secret.secretName`));
      else out.push(...each(`${at}.secret.secretName`, secret.secretName, isDNS1123Subdomain(str(secret.secretName))));
      list(secret.items).forEach((item, j) => {
        if (!str(item.key)) out.push(required(`${at}.secret.items[${j}].key`));
        if (!str(item.path)) out.push(required(`${at}.secret.items[${j}].path`));
        else out.push(...relativePath(str(item.path), `${at}.secret.items[${j}].path`));
      });
    }
    if (v.persistentVolumeClaim !== undefined && !str(obj(v.persistentVolumeClaim).claimName)) out.push(required(`${at}.persistentVolumeClaim.claimName`));
  });
  return { errors: out, names };
}

/** validatePodSpec (the parts Slipway's objects exercise). `restartPolicy` is left to the caller: it differs per workload. */
export function validatePodSpec(spec: Obj, path: string): FieldError[] {
  const out: FieldError[] = [];
  const vols = volumes(list(spec.volumes), `${path}.volumes`);
  out.push(...vols.errors);
  const containers = list(spec.containers);
  if (containers.length === 0) out.push(required(`${path}.containers`));
  const seen = new Set<string>();
  const check = (c: Obj, at: string): void => {
    const name = str(c.name);
    if (!name) out.push(required(`${at}.name`));
    else {
      out.push(...each(`${at}.name`, name, isDNS1123Label(name)));
      // Names are unique across init and regular containers (they share the kubelet's namespace).
      if (seen.has(name)) out.push(duplicate(`${at}.name`, name));
      seen.add(name);
    }
    out.push(...containerPorts(list(c.ports), `${at}.ports`));
    out.push(...env(list(c.env), `${at}.env`));
    out.push(...envFrom(list(c.envFrom), `${at}.envFrom`));
    out.push(...mounts(list(c.volumeMounts), vols.names, `${at}.volumeMounts`));
    out.push(...resources(obj(c.resources), `${at}.resources`));
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) out.push(...probe(c[p], `${at}.${p}`));
  };
  list(spec.initContainers).forEach((c, i) => check(c, `${path}.initContainers[${i}]`));
  containers.forEach((c, i) => check(c, `${path}.containers[${i}]`));
  list(spec.imagePullSecrets).forEach((s, i) => {
    if (!str(s.name)) out.push(required(`${path}.imagePullSecrets[${i}].name`));
  });
  out.push(...validateLabels(obj(spec.nodeSelector), `${path}.nodeSelector`));
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(str(spec.restartPolicy))) {
    out.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  return out;
}

/** ValidatePodTemplateSpec: template labels and annotations (reported on `<path>.labels`, as upstream does) and the pod spec. */
export function validatePodTemplate(template: Obj, path: string): FieldError[] {
  const meta = obj(template.metadata);
  return [
    ...validateLabels(obj(meta.labels), `${path}.labels`),
    ...validateAnnotations(obj(meta.annotations), `${path}.annotations`),
    ...validatePodSpec(obj(template.spec), `${path}.spec`),
  ];
}

/** The restart policy a pod spec ends up with (the API server defaults it to Always). */
export function restartPolicyOf(template: Obj): string {
  return str(obj(template.spec).restartPolicy) || 'Always';
}
