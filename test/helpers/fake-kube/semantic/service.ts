/** Service checks of `pkg/apis/core/validation/validation.go` (ValidateService, validateServicePort). */
import { duplicate, each, forbidden, invalid, notSupported, required, type FieldError } from './field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum } from './formats.ts';
import { validateLabels } from './object-meta.ts';
import { validatePortNumOrName } from './pod-spec.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** ValidateService (create and update; the name rule is in object-meta). */
export function validateService(o: Obj): FieldError[] {
  const spec = obj(o.spec);
  const out: FieldError[] = [];
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  if (!TYPES.includes(type)) out.push(notSupported('spec.type', type, TYPES));
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).map(obj);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    const name = typeof spec.externalName === 'string' ? spec.externalName : '';
    if (!name) out.push(required('spec.externalName'));
    else out.push(...each('spec.externalName', name, isDNS1123Subdomain(name.replace(/\.$/, ''))));
  } else if (ports.length === 0 && !headless) {
    out.push(required('spec.ports'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const name = typeof p.name === 'string' ? p.name : '';
    // A name is needed as soon as there are two ports: Endpoints refer to ports by name.
    if (ports.length > 1 && !name) out.push(required(`${at}.name`));
    else if (name) {
      out.push(...each(`${at}.name`, name, isDNS1123Label(name)));
      if (names.has(name)) out.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    out.push(...each(`${at}.port`, p.port, isValidPortNum(p.port as number)));
    if (p.protocol !== undefined && !PROTOCOLS.includes(String(p.protocol))) out.push(notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    // 0 and "" mean "same as port" (defaulted).
    if (p.targetPort !== undefined && p.targetPort !== 0 && p.targetPort !== '') out.push(...validatePortNumOrName(p.targetPort, `${at}.targetPort`));
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') out.push(forbidden(`${at}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else out.push(...each(`${at}.nodePort`, p.nodePort, isValidPortNum(p.nodePort as number)));
    }
  });
  if (type !== 'ExternalName') out.push(...validateLabels(obj(spec.selector), 'spec.selector'));
  if (type === 'ClusterIP' && spec.externalTrafficPolicy !== undefined) {
    out.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  }
  return out;
}
