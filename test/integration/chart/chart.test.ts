/**
 * The Helm chart, checked with the real helm 3.17 (kubeTools): it lints, renders with
 * the defaults and with a production-like set of values, every rendered object passes
 * Kubernetes' schemas with no unknown field, the Deployment's environment is exactly
 * what core/config.ts reads, and values.schema.json refuses values of the wrong type.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../../core/config.ts';
import { REPO_ROOT } from '../../helpers/server-process.ts';
import { CHART, RELEASE_NAMESPACE, createHelmRunner, type KubeObject } from './helm-runner.ts';
import { validateObject } from './validate-object.ts';

// Awaited by every test: when helm cannot be downloaded, each one fails with kubeTools'
// message (never a silent skip); the catch only keeps the rejection from being "unhandled".
const helm = createHelmRunner();
helm.catch(() => undefined);
test.after.always(async () => { await (await helm.catch(() => undefined))?.dispose(); });

/** A production-like install: TLS through cert-manager, an API Ingress, 2 replicas, every secret given. */
const FULL = {
  replicaCount: 2,
  systemDomain: 'apps.example.com',
  tls: { issuer: 'letsencrypt-prod' },
  ingress: { enabled: true, host: 'slipway.example.com', tls: { enabled: true } },
  s3: { endpoint: 'http://minio.storage.svc:9000', bucket: 'sources', accessKeyId: 'AKIAFULLTEST', secretAccessKey: 'full-test-secret' },
  registry: { host: 'registry.example.com/team', username: 'builder', password: 'registry-pass' },
  webhooks: { github: ['first-secret', 'rotated-secret'], generic: ['generic-secret'] },
  github: { token: 'ghp_test_token' },
  git: { allowedHosts: ['github.com', 'gitlab.com'], credentialsSecret: 'git-credentials' },
  usersSecret: 'slipway-users',
  cache: { storageClass: 'fast-ssd' },
  stage: { cpu: '1500m', memory: '3Gi' },
  admin: { password: 'correct horse battery' },
  extraEnv: [{ name: 'TZ', value: 'UTC' }],
};

const VALUE_SETS: Record<string, object> = { 'default values': {}, 'TLS, ingress and 2 replicas': FULL };

const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: KubeObject[], kind: string) => {
  const found = byKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0]!;
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: { fieldPath: string } };
}
interface Container { name: string; image: string; env: EnvVar[]; ports: { name: string; containerPort: number }[]; [k: string]: unknown }
type DeploymentObject = KubeObject & { spec: { replicas: number; template: { spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Container[] } } } };

/** The object of `kind` named `name` (the controller's objects are named after the release). */
const named = (objects: KubeObject[], kind: string, name = 'slipway') => {
  const found = byKind(objects, kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
};
const controller = (objects: KubeObject[]) => (named(objects, 'Deployment') as DeploymentObject).spec.template.spec.containers[0]!;

/** Variable names core/config.ts reads, from its schema's keys. */
async function knownSettings(): Promise<Set<string>> {
  const source = await readFile(join(REPO_ROOT, 'core', 'config.ts'), 'utf8');
  return new Set([...source.matchAll(/^\s{2}(SLIPWAY_[A-Z0-9_]+):/gm)].map((m) => m[1]!));
}

/**
 * The environment the container would get: values as written, Secret references
 * resolved against the Secrets the chart rendered (placeholders for Secrets the user
 * provides), the pod name for the downward API.
 */
function containerEnv(objects: KubeObject[], env: EnvVar[]): Record<string, string> {
  const secrets = new Map(byKind(objects, 'Secret').map((s) => [s.metadata.name, (s as { data?: Record<string, string> }).data ?? {}]));
  const out: Record<string, string> = {};
  for (const variable of env) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) out[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name') out[variable.name] = 'slipway-7d9f8-abcde';
    else if (ref) {
      const data = secrets.get(ref.name);
      if (!data) out[variable.name] = `provided-by-user-${ref.key}`;
      else if (data[ref.key] !== undefined) out[variable.name] = Buffer.from(data[ref.key]!, 'base64').toString('utf8');
      else if (!ref.optional) throw new Error(`${variable.name}: Secret ${ref.name} has no key ${ref.key}`);
    } else throw new Error(`${variable.name}: no value and no supported valueFrom`);
  }
  return out;
}

test('helm lint --strict passes with the default values and with the production-like ones', async (t) => {
  const h = await helm;
  const plain = await h.run(['lint', '--strict', CHART]);
  t.is(plain.code, 0, plain.stdout + plain.stderr);
  const full = await h.run(['lint', '--strict', CHART, '-f', await h.valuesFile(FULL)]);
  t.is(full.code, 0, full.stdout + full.stderr);
});

const rendersValid = test.macro({
  async exec(t, values: object) {
    const objects = await (await helm).render(values);
    t.true(objects.length >= 8);
    for (const object of objects) t.deepEqual(await validateObject(object), [], `${object.kind} ${object.metadata.name}`);
    for (const object of objects) {
      if (!['ClusterRole', 'ClusterRoleBinding', 'ClusterIssuer'].includes(object.kind)) t.is(object.metadata.namespace, RELEASE_NAMESPACE, `${object.kind} namespace`);
    }
  },
  title: (name) => `${name}: every rendered object is valid against Kubernetes' schemas, with no unknown field`,
});

const envMatchesConfig = test.macro({
  async exec(t, values: object) {
    const objects = await (await helm).render(values);
    const container = controller(objects);
    const known = await knownSettings();
    const extra = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'TZ']);
    const names = container.env.map((e) => e.name);
    t.deepEqual(names.filter((name) => name.startsWith('SLIPWAY_') ? !known.has(name) : !extra.has(name)), [], 'names core/config.ts does not read');
    t.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), [], 'names set twice');
    let config: Config | undefined;
    t.notThrows(() => { config = parseConfig(containerEnv(objects, container.env)); });
    t.is(config!.runtime, 'kubernetes');
    t.is(config!.kubernetes.namespace, RELEASE_NAMESPACE);
    t.is(config!.kubernetes.image, container.image);
    t.is(config!.kubernetes.identity, 'slipway-7d9f8-abcde');
    t.is(config!.blobStore.kind, 's3');
    // Large numbers must not render as 2.147483648e+09.
    t.is(config!.limits.unpackedBytes, 2 ** 31);
    t.is(config!.port, 8080);
    t.is(container.ports.find((p) => p.name === 'http')?.containerPort, 8080);
  },
  title: (name) => `${name}: the Deployment sets only settings core/config.ts knows, and parseConfig accepts them`,
});

for (const [name, values] of Object.entries(VALUE_SETS)) {
  test(name, rendersValid, values);
  test(name, envMatchesConfig, values);
}

test('the production-like values reach the configuration', async (t) => {
  const objects = await (await helm).render(FULL);
  const config = parseConfig(containerEnv(objects, controller(objects).env));
  t.is(config.kubernetes.tlsIssuer, 'letsencrypt-prod');
  t.is(config.kubernetes.registry, 'registry.example.com/team');
  t.is(config.kubernetes.stage.cpu, '1500m');
  t.is(config.kubernetes.stage.cacheStorageClass, 'fast-ssd');
  t.is(config.systemDomain, 'apps.example.com');
  t.is(config.publicUrl, 'https://slipway.example.com');
  t.is(config.auth.adminPassword, 'correct horse battery');
  t.is(config.auth.usersFile, '/etc/slipway/users/users.json');
  t.is(config.git.credentialsFile, '/etc/slipway/git/git-credentials');
  t.deepEqual(config.git.allowedHosts, ['github.com', 'gitlab.com']);
  t.deepEqual(config.webhooks.secrets, { github: ['first-secret', 'rotated-secret'], gitlab: [], gitea: [], generic: ['generic-secret'] });
  t.is(config.github.token, 'ghp_test_token');
  t.deepEqual(config.blobStore, { kind: 's3', endpoint: 'http://minio.storage.svc:9000', bucket: 'sources', region: 'us-east-1', forcePathStyle: true, partBytes: 5 * 2 ** 20 });
});

test('the Secret names default to what core/config.ts defaults to', async (t) => {
  const objects = await (await helm).render({});
  const config = parseConfig(containerEnv(objects, controller(objects).env));
  const defaults = parseConfig({});
  t.is(config.kubernetes.registrySecret, defaults.kubernetes.registrySecret);
  t.is(config.kubernetes.s3Secret, defaults.kubernetes.s3Secret);
  t.is(config.kubernetes.lease.name, defaults.kubernetes.lease.name);
  t.is(config.kubernetes.builderImage, defaults.kubernetes.builderImage);
  t.is(config.kubernetes.ingressClass, defaults.kubernetes.ingressClass);
  t.is(config.kubernetes.wildcardDns, defaults.kubernetes.wildcardDns);
  t.deepEqual(config.kubernetes.ingressService, defaults.kubernetes.ingressService);
  t.is(config.kubernetes.pendingGraceMs, defaults.kubernetes.pendingGraceMs);
  t.deepEqual(
    [config.kubernetes.stage.cpu, config.kubernetes.stage.memory, config.kubernetes.stage.cpuLimit, config.kubernetes.stage.memoryLimit],
    [defaults.kubernetes.stage.cpu, defaults.kubernetes.stage.memory, defaults.kubernetes.stage.cpuLimit, defaults.kubernetes.stage.memoryLimit]);
});

test('secrets: S3 credentials hold exactly the AWS keys, the registry Secret is a docker config for the host', async (t) => {
  const objects = await (await helm).render(FULL);
  const secret = (name: string) => byKind(objects, 'Secret').find((s) => s.metadata.name === name) as KubeObject & { type: string; data: Record<string, string> };
  const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');
  const s3 = secret('slipway-s3');
  t.deepEqual(Object.keys(s3.data).sort(), ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  t.is(decode(s3.data.AWS_SECRET_ACCESS_KEY!), 'full-test-secret');
  const registry = secret('slipway-registry');
  t.is(registry.type, 'kubernetes.io/dockerconfigjson');
  const auths = JSON.parse(decode(registry.data['.dockerconfigjson']!)).auths;
  t.deepEqual(Object.keys(auths), ['registry.example.com']);
  t.is(decode(auths['registry.example.com'].auth), 'builder:registry-pass');
});

test('with external S3 and registry but no credentials in the values the chart creates no S3 or registry Secret, and generates an admin password', async (t) => {
  const objects = await (await helm).render({ s3: { endpoint: 'https://s3.eu-west-1.amazonaws.com' }, registry: { host: 'registry.example.com' } });
  const names = byKind(objects, 'Secret').map((s) => s.metadata.name);
  t.deepEqual(names, ['slipway-admin']);
  const password = Buffer.from((one(objects, 'Secret') as unknown as { data: { password: string } }).data.password, 'base64').toString('utf8');
  t.regex(password, /^[A-Za-z0-9]{24}$/);
});

test('the Deployment: probes, non-root, resources, the ServiceAccount bound to the roles', async (t) => {
  const objects = await (await helm).render({});
  const deployment = named(objects, 'Deployment') as DeploymentObject;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0]! as Container & Record<string, any>;
  t.is(deployment.spec.replicas, 1);
  t.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
  t.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
  t.is(pod.securityContext.runAsNonRoot, true);
  t.is(pod.securityContext.runAsUser, 1001);
  t.is(container.securityContext.allowPrivilegeEscalation, false);
  t.is(container.securityContext.readOnlyRootFilesystem, true);
  t.truthy(container.resources.limits.memory);
  t.deepEqual(container.args, ['server']);
  const account = one(objects, 'ServiceAccount').metadata.name;
  t.is(pod.serviceAccountName, account);
  for (const binding of [one(objects, 'ClusterRoleBinding'), one(objects, 'RoleBinding')] as (KubeObject & { subjects: object[] })[]) {
    t.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: account, namespace: RELEASE_NAMESPACE }]);
  }
  t.is(byKind(objects, 'Ingress').length, 0);
  t.is(byKind(objects, 'PodDisruptionBudget').length, 0);
  const service = named(objects, 'Service') as KubeObject & { spec: { ports: { targetPort: string }[] } };
  t.is(service.spec.ports[0]!.targetPort, 'http');
});

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
const allows = (rules: Rule[], group: string, resource: string, verb: string) =>
  rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

const NEEDED: [string, string, string[]][] = [
  ['slipway.dev', 'apps', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']],
  ['slipway.dev', 'apps/status', ['get', 'update', 'patch']],
  ['', 'namespaces', ['get', 'list', 'watch', 'create', 'patch', 'delete']],
  ['batch', 'jobs', ['get', 'list', 'watch', 'create', 'delete']],
  ['', 'pods', ['get', 'list', 'watch']],
  ['', 'pods/log', ['get']],
  ['apps', 'deployments', ['get', 'list', 'watch', 'create', 'patch', 'delete']],
  ['', 'services', ['get', 'list', 'create', 'patch', 'delete']],
  ['networking.k8s.io', 'ingresses', ['get', 'list', 'create', 'patch', 'delete']],
  ['', 'secrets', ['get', 'list', 'create', 'update', 'patch', 'delete']],
  ['', 'persistentvolumeclaims', ['get', 'create', 'delete']],
  ['', 'events', ['create']],
  // Owner references to the App with blockOwnerDeletion (OwnerReferencesPermissionEnforcement).
  ['slipway.dev', 'apps/finalizers', ['update']],
  // Secret sync and the derived system domain.
  ['', 'secrets', ['watch']],
  ['', 'namespaces', ['list', 'watch']],
  ['', 'services', ['get']],
];

test('RBAC: the ClusterRole grants what the controller does in app namespaces, leases only in the release namespace', async (t) => {
  const objects = await (await helm).render({});
  const clusterRules = (one(objects, 'ClusterRole') as KubeObject & { rules: Rule[] }).rules;
  for (const [group, resource, verbs] of NEEDED) {
    for (const verb of verbs) t.true(allows(clusterRules, group, resource, verb), `${verb} ${group || 'core'}/${resource}`);
  }
  t.false(clusterRules.some((r) => r.apiGroups.includes('coordination.k8s.io')), 'no cluster-wide lease rights');
  t.false(clusterRules.some((r) => r.resources.includes('*') || r.verbs.includes('*')), 'no wildcards');
  const role = one(objects, 'Role') as KubeObject & { rules: Rule[] };
  t.is(role.metadata.namespace, RELEASE_NAMESPACE);
  for (const verb of ['get', 'create', 'update']) t.true(allows(role.rules, 'coordination.k8s.io', 'leases', verb));
});

test('TLS, ingress and 2 replicas: an Ingress with cert-manager TLS to the Service, and a PodDisruptionBudget', async (t) => {
  const objects = await (await helm).render(FULL);
  t.is((named(objects, 'Deployment') as DeploymentObject).spec.replicas, 2);
  const ingress = one(objects, 'Ingress') as KubeObject & { spec: any };
  t.is(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer'], 'letsencrypt-prod');
  t.is(ingress.spec.ingressClassName, 'traefik');
  t.deepEqual(ingress.spec.tls, [{ hosts: ['slipway.example.com'], secretName: 'slipway-tls' }]);
  const backend = ingress.spec.rules[0].http.paths[0].backend.service;
  t.is(backend.name, named(objects, 'Service').metadata.name);
  t.is(backend.port.name, 'http');
  const pdb = one(objects, 'PodDisruptionBudget') as KubeObject & { spec: { minAvailable: number } };
  t.is(pdb.spec.minAvailable, 1);
});

test('helm template --include-crds includes the App CRD from crds/, and leaves it out otherwise', async (t) => {
  const h = await helm;
  const withCrds = await h.render({}, ['--include-crds']);
  const crd = one(withCrds, 'CustomResourceDefinition') as KubeObject & { spec: { group: string; names: { kind: string } } };
  t.is(crd.metadata.name, 'apps.slipway.dev');
  t.is(crd.spec.group, 'slipway.dev');
  t.is(crd.spec.names.kind, 'App');
  t.deepEqual(await validateObject(crd), []);
  t.is(byKind(await h.render({}), 'CustomResourceDefinition').length, 0);
});

const refused = test.macro({
  async exec(t, values: object, field: RegExp) {
    const h = await helm;
    const result = await h.run(['template', 'slipway', CHART, '-f', await h.valuesFile(values)]);
    t.is(result.code, 1);
    t.regex(result.stderr, /values don't meet the specifications of the schema/);
    t.regex(result.stderr, field);
  },
  title: (what) => `values.schema.json refuses ${what}`,
});

test('replicaCount: "two"', refused, { replicaCount: 'two' }, /replicaCount/);
test('a misspelt key (imagee)', refused, { imagee: { tag: 'x' } }, /imagee/);
test('an admin password under 8 characters', refused, { admin: { password: 'short' } }, /admin\.password/);
test('a part size under the S3 minimum', refused, { s3: { partBytes: 1024 } }, /s3\.partBytes/);
test('an unknown log level', refused, { logLevel: 'loud' }, /logLevel/);
test('ingress.enabled: "always"', refused, { ingress: { enabled: 'always' } }, /ingress\.enabled/);
test('webhook secrets given as a string', refused, { webhooks: { github: 'one-secret' } }, /webhooks\.github/);
test('an unknown issuer kind to create', refused, { tls: { createIssuer: 'acme' } }, /tls\.createIssuer/);
test('a registry host with a scheme', refused, { registry: { host: 'https://registry.example.com' } }, /registry\.host/);
test('a node port that is not a port', refused, { registry: { battery: { nodePort: 70000 } } }, /registry\.battery\.nodePort/);
test('a builder user without uid:gid', refused, { stage: { builderUsers: ['paketobuildpacks/*=cnb'] } }, /stage\.builderUsers/);
test('a node selector value with a comma', refused, { stage: { nodeSelector: { 'kubernetes.io/arch': 'amd64,arm64' } } }, /stage\.nodeSelector/);
test('an ingress Service without a name', refused, { ingressService: { namespace: 'kube-system', name: null } }, /ingressService/);
test('a pending grace under a second', refused, { pendingGraceMs: 10 }, /pendingGraceMs/);
test('a misspelt battery key', refused, { s3: { battery: { persistance: { size: '1Gi' } } } }, /persistance/);

test('NOTES.txt tells how to read the admin password and log in, through port-forward or the Ingress', async (t) => {
  const h = await helm;
  const plain = await h.renderNotes({});
  t.regex(plain, /kubectl get secret -n slipway-system slipway-admin -o jsonpath='\{\.data\.password\}' \| base64 -d/);
  t.regex(plain, /kubectl port-forward -n slipway-system svc\/slipway 8080:80/);
  t.regex(plain, /slipway login http:\/\/127\.0\.0\.1:8080 --user admin/);
  t.regex(plain, /derives <ingress IP>\.sslip\.io from the\s+load-balancer address of the Service kube-system\/traefik/);
  t.regex(plain, /nodes pull from\s+127\.0\.0\.1:30500/);
  t.notRegex(plain, /WARNING/);
  const external = await h.renderNotes({ s3: { endpoint: 'https://s3.example.com' }, registry: { host: 'registry.example.com' } });
  t.regex(external, /WARNING: the Secret slipway-s3 with S3 credentials was not found/);
  t.regex(external, /WARNING: the registry Secret slipway-registry was not found/);
  const full = await h.renderNotes(FULL);
  t.regex(full, /slipway login https:\/\/slipway\.example\.com --user admin/);
  t.regex(full, /2 replicas; one leader reconciles/);
  t.notRegex(full, /WARNING/);
});

test('the object check itself catches a misspelt field and a wrong type', async (t) => {
  const deployment = named(await (await helm).render({}), 'Deployment') as DeploymentObject;
  const container = deployment.spec.template.spec.containers[0]! as Container & Record<string, unknown>;
  container.readinesProbe = container.readinessProbe;
  (deployment.spec as Record<string, unknown>).replicas = 'two';
  const problems = await validateObject(deployment);
  t.true(problems.some((p) => p.endsWith('unknown field Deployment.spec.template.spec.containers[0].readinesProbe')), problems.join('\n'));
  t.true(problems.some((p) => p.includes('replicas must be integer')), problems.join('\n'));
});
