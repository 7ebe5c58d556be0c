/** Ingress checks of `pkg/apis/networking/validation/validation.go` (ValidateIngressSpec and its helpers). */
import { each, invalid, notSupported, required, type FieldError } from './field-errors.ts';
import { isDNS1035Label, isDNS1123Subdomain, isIP, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain } from './formats.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
// Sequences a proxy would normalise away, so a rule could route around another (networking validation's invalidPathSequences).
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];

function host(value: string, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (isIP(value)) out.push(invalid(path, value, 'must be a DNS name, not an IP address'));
  out.push(...each(path, value, value.includes('*') ? isWildcardDNS1123Subdomain(value) : isDNS1123Subdomain(value)));
  return out;
}

function backend(b: Obj, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (b.resource !== undefined && b.service !== undefined) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (b.resource !== undefined) return out;
  if (b.service === undefined) return [invalid(path, '', 'resource or service backend is required')];
  const service = obj(b.service);
  const name = str(service.name);
  if (!name) out.push(required(`${path}.service.name`));
  else out.push(...each(`${path}.service.name`, name, isDNS1035Label(name)));
  const port = obj(service.port);
  const portName = str(port.name);
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName && portNumber) out.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) out.push(...each(`${path}.service.port.name`, portName, isValidPortName(portName)));
  else if (portNumber) out.push(...each(`${path}.service.port.number`, portNumber, isValidPortNum(portNumber)));
  else out.push(required(path, 'port name or number is required'));
  return out;
}

function httpPath(p: Obj, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (p.pathType === undefined) return [required(`${path}.pathType`, 'pathType must be specified')];
  const value = str(p.path);
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) out.push(invalid(`${path}.path`, value, 'must be an absolute path'));
    for (const seq of BAD_SEQUENCES) if (value.includes(seq)) out.push(invalid(`${path}.path`, value, `must not contain '${seq}'`));
    for (const suffix of BAD_SUFFIXES) if (value.endsWith(suffix)) out.push(invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) out.push(invalid(`${path}.path`, value, 'must be an absolute path'));
  } else {
    out.push(notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  }
  return [...out, ...backend(obj(p.backend), `${path}.backend`)];
}

/** ValidateIngressSpec. */
export function validateIngress(o: Obj): FieldError[] {
  const spec = obj(o.spec);
  const out: FieldError[] = [];
  const rules = list(spec.rules);
  if (rules.length === 0 && spec.defaultBackend === undefined) out.push(invalid('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend !== undefined) out.push(...backend(obj(spec.defaultBackend), 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    if (str(rule.host)) out.push(...host(str(rule.host), `${at}.host`));
    if (rule.http !== undefined) {
      const paths = list(obj(rule.http).paths);
      if (paths.length === 0) out.push(required(`${at}.http.paths`));
      paths.forEach((p, j) => out.push(...httpPath(p, `${at}.http.paths[${j}]`)));
    }
  });
  list(spec.tls).forEach((tls, i) => {
    (Array.isArray(tls.hosts) ? tls.hosts : []).forEach((h: unknown, j: number) => {
      const value = str(h);
      out.push(...each(`spec.tls[${i}].hosts[${j}]`, value, value.includes('*') ? isWildcardDNS1123Subdomain(value) : isDNS1123Subdomain(value)));
    });
    if (str(tls.secretName)) out.push(...each(`spec.tls[${i}].secretName`, tls.secretName, isDNS1123Subdomain(str(tls.secretName))));
  });
  if (spec.ingressClassName !== undefined) out.push(...each('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(str(spec.ingressClassName))));
  return out;
}
