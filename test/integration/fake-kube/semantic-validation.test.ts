import test from 'ava';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';
import { apiFailure } from '../../helpers/fake-kube/api-failure.ts';

// Each object here passes the OpenAPI schema (kubernetes-models, checked in the macro) and
// breaks one rule of kube-apiserver's semantic validation (pkg/apis/*/validation).

let kube: FakeKube;
test.before(async () => { kube = await startFakeKube({ autoRollout: false }); });
test.after.always(async () => { await kube.close(); });

type Obj = Record<string, any>;
const client = () => KubernetesObjectApi.makeApiClient(kube.kubeConfig());

async function schemaAccepts(o: Obj): Promise<void> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const module = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`) as Record<string, new (d: unknown) => { validate(): void }>;
  new module[o.kind]!(o).validate();
}

let n = 0;
const meta = (name?: string, extra: Obj = {}) => ({ name: name ?? `obj-${++n}`, namespace: 'default', ...extra });
const container = (extra: Obj = {}) => ({ name: 'web', image: 'nginx', ...extra });
const deployment = (spec: Obj = {}, podSpec: Obj = {}, name?: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name),
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container()], ...podSpec } }, ...spec },
});
const withContainer = (c: Obj, podSpec: Obj = {}) => deployment({}, { containers: [container(c)], ...podSpec });
const job = (podSpec: Obj = {}, spec: Obj = {}, name?: string) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: meta(name),
  spec: { template: { spec: { restartPolicy: 'Never', containers: [container()], ...podSpec } }, ...spec },
});
const service = (spec: Obj, name?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec } });
const ingressBackend = { service: { name: 'web', port: { name: 'http' } } };
const ingress = (rule: Obj = {}, pathItem: Obj = {}, spec: Obj = {}) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(),
  spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: ingressBackend, ...pathItem }] }, ...rule }], ...spec },
});
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Obj, type?: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta(), ...(type ? { type } : {}), data });
const configMap = (metadata: Obj) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta(), ...metadata } });

const refused = test.macro({
  async exec(t, object: Obj, field: string, message: RegExp, reason: string = 'FieldValueInvalid') {
    await t.notThrowsAsync(schemaAccepts(object), 'the OpenAPI schema accepts it');
    const status = await apiFailure(client().create(object as KubernetesObject));
    t.like(status, { kind: 'Status', code: 422, reason: 'Invalid' });
    const causes = (status.details?.causes ?? []) as { reason: string; field?: string; message: string }[];
    const cause = causes.find((c) => c.field === field && message.test(c.message));
    t.truthy(cause, JSON.stringify(causes));
    t.is(cause?.reason, reason);
    // The Status message is `<Kind>[.group] "<name>" is invalid: <field>: <message>` (bracketed list when several).
    t.true(status.message.includes(`${field}: ${cause?.message}`), status.message);
  },
  title: (title) => `refused: ${title}`,
});

// Object names (apimachinery api/validation, core and apps NameIs* rules).
test('a Service name starting with a digit (DNS-1035)', refused, service({}, '1app'), 'metadata.name',
  /^Invalid value: "1app": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character \(e\.g\. 'my-name', or 'abc-123', regex used for validation is '\[a-z\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?'\)$/);
test('a Namespace name with a dot (DNS-1123 label)', refused, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a' } }, 'metadata.name', /^Invalid value: "team\.a": must not contain dots$/);
test('a name over 253 characters', refused, configMap({ name: `a${'.b'.repeat(127)}` }), 'metadata.name', /must be no more than 253 characters/);
test('a generateName that cannot make a valid name', refused, configMap({ name: undefined, generateName: 'Web-' }), 'metadata.generateName', /^Invalid value: "Web-": a lowercase RFC 1123 subdomain/);
test('a Job name over 63 characters (its pods\' job-name label)', refused, job({}, {}, `j${'x'.repeat(63)}`), 'spec.template.labels', /must be no more than 63 characters/);

// Labels and annotations.
test('a label key with an invalid prefix', refused, configMap({ labels: { 'Example.com/app': 'x' } }), 'metadata.labels', /^Invalid value: "Example\.com\/app": prefix part a lowercase RFC 1123 subdomain/);
test('a label key name over 63 characters', refused, configMap({ labels: { [`k${'x'.repeat(63)}`]: 'x' } }), 'metadata.labels', /name part must be no more than 63 characters/);
test('a label value ending in a dash', refused, configMap({ labels: { app: 'web-' } }), 'metadata.labels', /^Invalid value: "web-": a valid label must be an empty string or consist of alphanumeric characters/);
test('an annotation key with a space', refused, configMap({ annotations: { 'bad key': 'x' } }), 'metadata.annotations', /name part must consist of alphanumeric characters/);
test('annotations over 256 KiB', refused, configMap({ annotations: { big: 'x'.repeat(256 * 1024) } }), 'metadata.annotations', /^Too long: must have at most 262144 bytes$/, 'FieldValueTooLong');
test('template labels that are not label values', refused, deployment({ selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', v: 'a b' } }, spec: { containers: [container()] } } }), 'spec.template.labels', /^Invalid value: "a b"/);

// Containers and pods (core validation.go).
test('a container name that is not a DNS-1123 label', refused, withContainer({ name: 'Web' }), 'spec.template.spec.containers[0].name', /^Invalid value: "Web": a lowercase RFC 1123 label/);
test('an init container named like a container', refused, deployment({}, { initContainers: [container()] }), 'spec.template.spec.containers[0].name', /^Duplicate value: "web"$/, 'FieldValueDuplicate');
test('a port name over 15 characters', refused, withContainer({ ports: [{ name: 'http-metrics-port', containerPort: 80 }] }), 'spec.template.spec.containers[0].ports[0].name', /must be no more than 15 characters/);
test('a port name with consecutive hyphens', refused, withContainer({ ports: [{ name: 'http--a', containerPort: 80 }] }), 'spec.template.spec.containers[0].ports[0].name', /must not contain consecutive hyphens/);
test('a port name without a letter', refused, withContainer({ ports: [{ name: '8080', containerPort: 80 }] }), 'spec.template.spec.containers[0].ports[0].name', /must contain at least one letter \(a-z\)/);
test('a containerPort above 65535', refused, withContainer({ ports: [{ containerPort: 70000 }] }), 'spec.template.spec.containers[0].ports[0].containerPort', /^Invalid value: 70000: must be between 1 and 65535, inclusive$/);
test('an env var name starting with a digit', refused, withContainer({ env: [{ name: '1PORT', value: '1' }] }), 'spec.template.spec.containers[0].env[0].name', /a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '\.', and must not start with a digit/);
test('a volume name with an underscore', refused, deployment({}, { volumes: [{ name: 'my_vol', emptyDir: {} }] }), 'spec.template.spec.volumes[0].name', /a lowercase RFC 1123 label/);
test('a volume with two sources', refused, deployment({}, { volumes: [{ name: 'v', emptyDir: {}, secret: { secretName: 's' } }] }), 'spec.template.spec.volumes[0].secret', /^Forbidden: may not specify more than 1 volume type$/, 'FieldValueForbidden');
test('a volumeMount of a volume that does not exist', refused, withContainer({ volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }), 'spec.template.spec.containers[0].volumeMounts[0].name', /^Not found: "cache"$/, 'FieldValueNotFound');
test('a request above its limit', refused, withContainer({ resources: { requests: { cpu: '2' }, limits: { cpu: '500m' } } }), 'spec.template.spec.containers[0].resources.requests', /^Invalid value: "2": must be less than or equal to cpu limit of 500m$/);
test('a memory request above its limit in other units', refused, withContainer({ resources: { requests: { memory: '2Gi' }, limits: { memory: '1500M' } } }), 'spec.template.spec.containers[0].resources.requests', /memory limit of 1500M/);

// Deployments (apps validation.go).
test('a Deployment selector that does not match the template', refused, deployment({ selector: { matchLabels: { app: 'api' } } }), 'spec.template.metadata.labels', /^Invalid value: \{"app":"web"\}: `selector` does not match template `labels`$/);
test('a Deployment whose pods do not restart', refused, deployment({}, { restartPolicy: 'Never' }), 'spec.template.spec.restartPolicy', /^Unsupported value: "Never": supported values: "Always"$/, 'FieldValueNotSupported');
test('a rolling update with maxSurge and maxUnavailable both 0', refused, deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }), 'spec.strategy.rollingUpdate.maxUnavailable', /may not be 0 when `maxSurge` is 0/);

// Jobs (batch validation.go).
test('a Job without restartPolicy (defaults to Always)', refused, job({ restartPolicy: undefined }), 'spec.template.spec.restartPolicy', /^Unsupported value: "Always": supported values: "OnFailure", "Never"$/, 'FieldValueNotSupported');
test('a Job with its own selector but no manualSelector', refused, job({}, { selector: { matchLabels: { app: 'web' } } }), 'spec.selector', /`selector` not auto-generated/);

// Services.
test('two Service ports, one without a name', refused, service({ ports: [{ name: 'http', port: 80 }, { port: 443 }] }), 'spec.ports[1].name', /^Required value$/, 'FieldValueRequired');
test('two Service ports with the same name', refused, service({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 443 }] }), 'spec.ports[1].name', /^Duplicate value: "http"$/, 'FieldValueDuplicate');
test('a named targetPort that is no IANA service name', refused, service({ ports: [{ name: 'http', port: 80, targetPort: 'http_port' }] }), 'spec.ports[0].targetPort', /must contain only alpha-numeric characters/);
test('a nodePort on a ClusterIP Service', refused, service({ type: 'ClusterIP', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), 'spec.ports[0].nodePort', /may not be used when `type` is 'ClusterIP'/, 'FieldValueForbidden');
test('a Service without ports', refused, service({ ports: [] }), 'spec.ports', /^Required value$/, 'FieldValueRequired');

// Ingresses (networking validation.go).
test('an Ingress host that is an IP address', refused, ingress({ host: '10.0.0.1' }), 'spec.rules[0].host', /^Invalid value: "10\.0\.0\.1": must be a DNS name, not an IP address$/);
test('an Ingress host with a port', refused, ingress({ host: 'web.example.com:8080' }), 'spec.rules[0].host', /a lowercase RFC 1123 subdomain/);
test('an Ingress wildcard that is not the first label', refused, ingress({ host: 'web.*.example.com' }), 'spec.rules[0].host', /a wildcard DNS-1123 subdomain must start with '\*\.'/);
test('an Ingress Prefix path that is not absolute', refused, ingress({}, { path: 'api' }), 'spec.rules[0].http.paths[0].path', /^Invalid value: "api": must be an absolute path$/);
test('an Ingress path with //', refused, ingress({}, { path: '/a//b' }), 'spec.rules[0].http.paths[0].path', /must not contain '\/\/'/);
test('an Ingress path with /../', refused, ingress({}, { path: '/a/../b' }), 'spec.rules[0].http.paths[0].path', /must not contain '\/\.\.\/'/);
test('an Ingress path ending in /.', refused, ingress({}, { path: '/a/.' }), 'spec.rules[0].http.paths[0].path', /cannot end with '\/\.'/);
test('an Ingress backend Service name starting with a digit', refused, ingress({}, { backend: { service: { name: '1web', port: { number: 80 } } } }), 'spec.rules[0].http.paths[0].backend.service.name', /a DNS-1035 label/);
test('an Ingress backend without a port', refused, ingress({}, { backend: { service: { name: 'web' } } }), 'spec.rules[0].http.paths[0].backend', /^Required value: port name or number is required$/, 'FieldValueRequired');
test('an Ingress TLS host in upper case', refused, ingress({}, {}, { tls: [{ hosts: ['Web.example.com'], secretName: 'web-tls' }] }), 'spec.tls[0].hosts[0]', /a lowercase RFC 1123 subdomain/);

// Secrets.
test('a Secret key with a space', refused, secret({ 'my key': b64('x') }), 'data[my key]', /a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/);
test('a Secret key ..', refused, secret({ '..': b64('x') }), 'data[..]', /must not be '\.\.'/);
test('a Secret over 1 MiB', refused, secret({ a: b64('x'.repeat(600_000)), b: b64('y'.repeat(600_000)) }), 'data', /^Too long: must have at most 1048576 bytes$/, 'FieldValueTooLong');
test('a dockerconfigjson Secret without .dockerconfigjson', refused, secret({ config: b64('{}') }, 'kubernetes.io/dockerconfigjson'), 'data[.dockerconfigjson]', /^Required value$/, 'FieldValueRequired');
test('a dockerconfigjson Secret that is not JSON', refused, secret({ '.dockerconfigjson': b64('{auths') }, 'kubernetes.io/dockerconfigjson'), 'data[.dockerconfigjson]', /^Invalid value: "<secret contents redacted>": /);
test('a TLS Secret without a key', refused, secret({ 'tls.crt': b64('c') }, 'kubernetes.io/tls'), 'data[tls.key]', /^Required value$/, 'FieldValueRequired');

// PVCs, Leases, Events.
test('a PVC without access modes', refused, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(), spec: { resources: { requests: { storage: '1Gi' } } } }, 'spec.accessModes', /at least 1 access mode is required/, 'FieldValueRequired');
test('a PVC without a storage request', refused, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(), spec: { accessModes: ['ReadWriteOnce'] } }, 'spec.resources[storage]', /^Required value$/, 'FieldValueRequired');
test('a Lease of 0 seconds', refused, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta(), spec: { holderIdentity: 'a', leaseDurationSeconds: 0 } }, 'spec.leaseDurationSeconds', /^Invalid value: 0: must be greater than 0$/);
test('an Event about an object of another namespace', refused, { apiVersion: 'v1', kind: 'Event', metadata: meta(), involvedObject: { kind: 'Pod', name: 'p', namespace: 'kube-system' }, reason: 'Started' }, 'involvedObject.namespace', /^Invalid value: "kube-system": does not match event\.namespace$/);

test('several errors are listed in brackets, as kube-apiserver aggregates them', async (t) => {
  const status = await apiFailure(client().create(withContainer({ name: 'Web', env: [{ name: '1A', value: '' }] }) as KubernetesObject));
  t.regex(status.message, /^Deployment\.apps "obj-\d+" is invalid: \[spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Web": .*, spec\.template\.spec\.containers\[0\]\.env\[0\]\.name: Invalid value: "1A": .*\]$/);
});

const accepted = test.macro({
  async exec(t, object: Obj) {
    await t.notThrowsAsync(client().create(object as KubernetesObject));
  },
  title: (title) => `accepted: ${title}`,
});

test('a Deployment using every rule correctly', accepted, deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }, {
  initContainers: [container({ name: 'init' })],
  containers: [container({
    ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'my.env-name', value: '1' }, { name: '_X', value: '2' }],
    envFrom: [{ secretRef: { name: 'web-env' } }], volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
    readinessProbe: { tcpSocket: { port: 'http' } }, resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  })],
  volumes: [{ name: 'cache', emptyDir: {} }], nodeSelector: { 'kubernetes.io/arch': 'amd64' },
}));
test('a Deployment replaced with Recreate (one replica on a ReadWriteOnce claim)', accepted, deployment({ strategy: { type: 'Recreate' } }));
test('a Job of 63 characters with restartPolicy Never', accepted, job({}, {}, `j${'x'.repeat(62)}`));
test('a Service with two named ports and a numeric targetPort', accepted, service({ ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 'https' }] }, 'web-svc'));
test('an Ingress with a wildcard host, a Prefix path and TLS', accepted, ingress({ host: '*.apps.example.com' }, { path: '/api/v1' }, { ingressClassName: 'traefik', tls: [{ hosts: ['*.apps.example.com'], secretName: 'apps-tls' }] }));
test('an Ingress with an ImplementationSpecific path', accepted, ingress({}, { path: '/a//b', pathType: 'ImplementationSpecific' }));
test('a dockerconfigjson Secret', accepted, secret({ '.dockerconfigjson': b64('{"auths":{}}') }, 'kubernetes.io/dockerconfigjson'));
test('label keys with prefixes and empty values', accepted, configMap({ labels: { 'app.kubernetes.io/name': 'web', 'x': '' }, annotations: { 'Example.com/Note': 'any value at all' } }));
test('an Event about an object of its namespace', accepted, { apiVersion: 'v1', kind: 'Event', metadata: { generateName: 'web.', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started' });

test('updates: a Deployment selector and a Secret type are immutable', async (t) => {
  const api = client();
  await api.create(deployment({}, {}, 'immutable-dep') as KubernetesObject);
  const dep = await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'immutable-dep', namespace: 'default' } }) as Obj;
  dep.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
  dep.spec.template.metadata.labels.tier = 'x';
  const status = await apiFailure(api.replace(dep as KubernetesObject));
  t.regex(status.message, /spec\.selector: Invalid value: .*: field is immutable/);
  const s = await api.create({ ...secret({ a: b64('1') }), metadata: meta('immutable-secret') } as KubernetesObject) as Obj;
  const changed = await apiFailure(api.replace({ ...s, type: 'kubernetes.io/basic-auth', data: { username: b64('u') } } as KubernetesObject));
  t.regex(changed.message, /^Secret "immutable-secret" is invalid: type: Invalid value: "kubernetes\.io\/basic-auth": field is immutable$/);
});
