/**
 * The chart's batteries (a distribution registry and a Versity S3 Gateway, each on a
 * claim) and its ClusterIssuer, rendered with the real helm: on by default and wired
 * into the controller's environment, all gone when external services are given, the
 * example values files render valid, and generated credentials survive an upgrade
 * (`lookup` answered by the fake API through `helm template --dry-run=server`).
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../../../core/config.ts';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';
import { CHART, RELEASE_NAMESPACE, createHelmRunner, type KubeObject } from './helm-runner.ts';
import { validateObject } from './validate-object.ts';

const helm = createHelmRunner();
helm.catch(() => undefined);
test.after.always(async () => { await (await helm.catch(() => undefined))?.dispose(); });

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: object } };
type Pod = { containers: { name: string; env?: Env[]; args?: string[]; ports: { name: string; containerPort: number }[]; volumeMounts?: { name: string; mountPath: string }[] }[]; volumes?: { name: string; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[] };
type Obj = KubeObject & { spec?: any; data?: Record<string, string>; type?: string };

const find = (objects: Obj[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const names = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');
const podOf = (deployment: Obj | undefined) => deployment!.spec.template.spec as Pod;

/** The controller's environment with Secret references resolved against the rendered Secrets. */
function controllerEnv(objects: Obj[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of podOf(find(objects, 'Deployment', 'slipway')).containers[0]!.env!) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (ref) {
      const data = find(objects, 'Secret', ref.name)?.data;
      env[variable.name] = data?.[ref.key] ? decode(data[ref.key]!) : `provided-by-user-${ref.key}`;
    }
  }
  return env;
}

const EXTERNAL = {
  s3: { endpoint: 'http://rgw.storage.svc:8080', accessKeyId: 'EXTERNALKEY', secretAccessKey: 'external-secret' },
  registry: { host: 'harbor.example.com/slipway', username: 'robot', password: 'robot-pass' },
};

test('default values: a registry and an S3 server on claims, and the controller pointed at their Services', async (t) => {
  const objects = await (await helm).render({}) as Obj[];
  t.deepEqual(names(objects, 'Deployment'), ['slipway', 'slipway-registry', 'slipway-s3']);
  t.deepEqual(names(objects, 'PersistentVolumeClaim'), ['slipway-registry', 'slipway-s3']);
  t.deepEqual(names(objects, 'Service'), ['slipway', 'slipway-registry', 'slipway-registry-node', 'slipway-s3']);

  const config = parseConfig(controllerEnv(objects));
  t.is(config.kubernetes.registry, 'slipway-registry.slipway-system.svc.cluster.local:5000');
  t.is(config.kubernetes.registryPull, '127.0.0.1:30500');
  t.true(config.kubernetes.registryInsecure);
  t.is(config.blobStore.kind === 's3' ? config.blobStore.endpoint : '', 'http://slipway-s3.slipway-system.svc.cluster.local:7070');
  t.false(config.kubernetes.systemDomainSet, 'no systemDomain: the controller derives one');
  t.deepEqual(config.kubernetes.stage.nodeSelector, { 'kubernetes.io/arch': 'amd64' });
  t.deepEqual([config.kubernetes.stage.cpu, config.kubernetes.stage.memory, config.kubernetes.stage.cpuLimit, config.kubernetes.stage.memoryLimit], ['500m', '1Gi', '2', '4Gi']);
  t.is(config.kubernetes.tlsIssuer, undefined);

  // The addresses in the environment are the Services' own.
  const clusterIp = find(objects, 'Service', 'slipway-registry')!.spec;
  t.is(clusterIp.type, 'ClusterIP');
  t.is(clusterIp.ports[0].port, 5000);
  const nodePort = find(objects, 'Service', 'slipway-registry-node')!.spec;
  t.is(nodePort.type, 'NodePort');
  t.is(nodePort.ports[0].nodePort, 30500);
  t.is(find(objects, 'Service', 'slipway-s3')!.spec.ports[0].port, 7070);
  for (const [service, deployment] of [['slipway-registry', 'slipway-registry'], ['slipway-registry-node', 'slipway-registry'], ['slipway-s3', 'slipway-s3']] as const) {
    const labels = find(objects, 'Deployment', deployment)!.spec.template.metadata.labels;
    const selector = find(objects, 'Service', service)!.spec.selector;
    for (const [key, value] of Object.entries(selector)) t.is(labels[key], value, `${service} selects ${deployment}`);
  }
  // Services must not select the controller's pods and the other way round.
  t.not(find(objects, 'Service', 'slipway')!.spec.selector['app.kubernetes.io/component'], 'registry');
});

test('default values: the registry requires the generated password, and the pull Secret holds it for the push and pull addresses', async (t) => {
  const objects = await (await helm).render({}) as Obj[];
  const auth = find(objects, 'Secret', 'slipway-registry-auth')!.data!;
  const password = decode(auth.password!);
  t.regex(password, /^[A-Za-z0-9]{32}$/);
  t.regex(decode(auth.htpasswd!), /^slipway:\$2[aby]\$10\$.{53}\n$/, 'one bcrypt htpasswd line');
  const pull = find(objects, 'Secret', 'slipway-registry')!;
  t.is(pull.type, 'kubernetes.io/dockerconfigjson');
  const auths = JSON.parse(decode(pull.data!['.dockerconfigjson']!)).auths;
  t.deepEqual(Object.keys(auths).sort(), ['127.0.0.1:30500', 'slipway-registry.slipway-system.svc.cluster.local:5000']);
  for (const entry of Object.values(auths) as { auth: string }[]) t.is(decode(entry.auth), `slipway:${password}`);

  const pod = podOf(find(objects, 'Deployment', 'slipway-registry'));
  const env = Object.fromEntries(pod.containers[0]!.env!.map((e) => [e.name, e.value]));
  t.is(env.REGISTRY_AUTH, 'htpasswd');
  t.is(env.REGISTRY_AUTH_HTPASSWD_PATH, '/auth/htpasswd');
  t.is(pod.volumes!.find((v) => v.name === 'auth')!.secret!.secretName, 'slipway-registry-auth');
  t.is(pod.volumes!.find((v) => v.name === 'data')!.persistentVolumeClaim!.claimName, 'slipway-registry');
  t.is(env.REGISTRY_HTTP_TLS_CERTIFICATE, undefined);
});

test('default values: the S3 server takes its root credentials from the Secret the controller reads', async (t) => {
  const objects = await (await helm).render({}) as Obj[];
  const secret = find(objects, 'Secret', 'slipway-s3')!.data!;
  t.deepEqual(Object.keys(secret).sort(), ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  t.regex(decode(secret.AWS_SECRET_ACCESS_KEY!), /^[A-Za-z0-9]{40}$/);
  const container = podOf(find(objects, 'Deployment', 'slipway-s3')).containers[0]!;
  const refs = Object.fromEntries(container.env!.filter((e) => e.valueFrom).map((e) => [e.name, e.valueFrom!.secretKeyRef]));
  t.deepEqual(refs, {
    ROOT_ACCESS_KEY_ID: { name: 'slipway-s3', key: 'AWS_ACCESS_KEY_ID' },
    ROOT_SECRET_ACCESS_KEY: { name: 'slipway-s3', key: 'AWS_SECRET_ACCESS_KEY' },
  });
  t.deepEqual(container.args, ['posix', '/data/buckets']);
  t.is(container.ports[0]!.containerPort, 7070);
  t.is(parseConfig(controllerEnv(objects)).kubernetes.s3Secret, 'slipway-s3');
});

test('external S3 and registry: no battery object is rendered, and the controller uses the given ones', async (t) => {
  const objects = await (await helm).render(EXTERNAL) as Obj[];
  t.deepEqual(names(objects, 'Deployment'), ['slipway']);
  t.deepEqual(names(objects, 'Service'), ['slipway']);
  t.deepEqual(names(objects, 'PersistentVolumeClaim'), []);
  t.deepEqual(names(objects, 'Secret'), ['slipway-admin', 'slipway-registry', 'slipway-s3']);
  t.deepEqual(names(objects, 'Certificate'), []);
  const config = parseConfig(controllerEnv(objects));
  t.is(config.kubernetes.registry, 'harbor.example.com/slipway');
  t.is(config.kubernetes.registryPull, 'harbor.example.com/slipway');
  t.false(config.kubernetes.registryInsecure);
  t.is(config.blobStore.kind === 's3' ? config.blobStore.endpoint : '', 'http://rgw.storage.svc:8080');
  const auths = JSON.parse(decode(find(objects, 'Secret', 'slipway-registry')!.data!['.dockerconfigjson']!)).auths;
  t.deepEqual(Object.keys(auths), ['harbor.example.com']);
});

test('an external registry pulled by another name: the pull Secret names both, insecure is passed on', async (t) => {
  const objects = await (await helm).render({ registry: { host: 'registry.internal:5000', pullHost: 'localhost:5000', insecure: true, username: 'u', password: 'p' } }) as Obj[];
  const config = parseConfig(controllerEnv(objects));
  t.is(config.kubernetes.registryPull, 'localhost:5000');
  t.true(config.kubernetes.registryInsecure);
  const auths = JSON.parse(decode(find(objects, 'Secret', 'slipway-registry')!.data!['.dockerconfigjson']!)).auths;
  t.deepEqual(Object.keys(auths).sort(), ['localhost:5000', 'registry.internal:5000']);
});

test('imagePullSecrets, builder users, node selector and grace reach the controller', async (t) => {
  const values = { imagePullSecrets: ['ghcr-pull', 'hub-pull'], stage: { builderUsers: ['heroku/builder:24=1000:1000', 'example/*=2000:2000'], nodeSelector: { 'kubernetes.io/arch': 'arm64', pool: 'builds' } }, pendingGraceMs: 300000, wildcardDns: 'nip.io', ingressService: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } };
  const objects = await (await helm).render(values) as Obj[];
  const config = parseConfig(controllerEnv(objects));
  t.deepEqual(config.kubernetes.imagePullSecrets, ['ghcr-pull', 'hub-pull']);
  t.deepEqual(config.kubernetes.builderUsers, ['heroku/builder:24=1000:1000', 'example/*=2000:2000']);
  t.deepEqual(config.kubernetes.stage.nodeSelector, { 'kubernetes.io/arch': 'arm64', pool: 'builds' });
  t.is(config.kubernetes.pendingGraceMs, 300000);
  t.is(config.kubernetes.wildcardDns, 'nip.io');
  t.deepEqual(config.kubernetes.ingressService, { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' });
  t.deepEqual(find(objects, 'Deployment', 'slipway')!.spec.template.spec.imagePullSecrets, [{ name: 'ghcr-pull' }, { name: 'hub-pull' }]);
  const none = parseConfig(controllerEnv(await (await helm).render({ stage: { nodeSelector: null } }) as Obj[]));
  t.deepEqual(none.kubernetes.stage.nodeSelector, {}, 'a multi-arch builder: no selector');
});

const issuer = test.macro({
  async exec(t, values: object, expect: (spec: any) => void) {
    const objects = await (await helm).render(values) as Obj[];
    const issuers = objects.filter((o) => o.kind === 'ClusterIssuer');
    t.is(issuers.length, 1);
    t.deepEqual(await validateObject(issuers[0]!), []);
    t.is(parseConfig(controllerEnv(objects)).kubernetes.tlsIssuer, issuers[0]!.metadata.name);
    expect(issuers[0]!.spec);
  },
  title: (what) => `tls.createIssuer ${what}: a ClusterIssuer wired to SLIPWAY_TLS_ISSUER`,
});

test('letsencrypt', issuer, { tls: { createIssuer: 'letsencrypt', letsencrypt: { email: 'ops@example.com' } } }, (spec: any) => {
  if (spec.acme.solvers[0].http01.ingress.ingressClassName !== 'traefik') throw new Error('HTTP-01 through the app ingress class');
  if (spec.acme.server !== 'https://acme-v02.api.letsencrypt.org/directory') throw new Error('production ACME by default');
});
test('selfsigned', issuer, { tls: { createIssuer: 'selfsigned' } }, (spec: any) => {
  if (!spec.selfSigned) throw new Error('selfSigned');
});
test('ca, named by tls.issuer', issuer, { tls: { createIssuer: 'ca', issuer: 'team-ca', ca: { secretName: 'team-ca-key-pair' } } }, (spec: any) => {
  if (spec.ca.secretName !== 'team-ca-key-pair') throw new Error('ca.secretName');
});

test('tls.createIssuer letsencrypt without an e-mail is refused with the value to set', async (t) => {
  const h = await helm;
  const result = await h.run(['template', 'slipway', CHART, '-f', await h.valuesFile({ tls: { createIssuer: 'letsencrypt' } })]);
  t.is(result.code, 1);
  t.regex(result.stderr, /tls\.letsencrypt\.email is required/);
});

test('registry over TLS: a Certificate for the Service names and 127.0.0.1, served by the registry, builds verify it', async (t) => {
  const objects = await (await helm).render({ registry: { battery: { tls: { issuer: 'internal-ca' } } } }) as Obj[];
  const certificate = find(objects, 'Certificate', 'slipway-registry')!;
  t.deepEqual(await validateObject(certificate), []);
  t.true(certificate.spec.dnsNames.includes('slipway-registry.slipway-system.svc.cluster.local'));
  t.deepEqual(certificate.spec.ipAddresses, ['127.0.0.1']);
  t.deepEqual(certificate.spec.issuerRef, { name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  const pod = podOf(find(objects, 'Deployment', 'slipway-registry'));
  t.is(pod.volumes!.find((v) => v.name === 'certs')!.secret!.secretName, certificate.spec.secretName);
  t.false(parseConfig(controllerEnv(objects)).kubernetes.registryInsecure);
});

test('registry without auth: the pull Secret still exists (empty), no htpasswd anywhere', async (t) => {
  const objects = await (await helm).render({ registry: { battery: { auth: false } } }) as Obj[];
  t.is(find(objects, 'Secret', 'slipway-registry-auth'), undefined);
  t.deepEqual(JSON.parse(decode(find(objects, 'Secret', 'slipway-registry')!.data!['.dockerconfigjson']!)), { auths: {} });
  const env = podOf(find(objects, 'Deployment', 'slipway-registry')).containers[0]!.env!.map((e) => e.name);
  t.false(env.includes('REGISTRY_AUTH'));
});

test('every example values file renders, lints and gives valid objects', async (t) => {
  const h = await helm;
  const dir = join(CHART, 'examples');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
  t.true(files.length >= 4);
  for (const file of files) {
    const values = parse(await readFile(join(dir, file), 'utf8')) as Record<string, any>;
    // Examples leave passwords to --set.
    if (values.registry?.username) values.registry.password = 'from-set';
    const objects = await h.render(values) as Obj[];
    for (const object of objects) t.deepEqual(await validateObject(object), [], `${file}: ${object.kind} ${object.metadata.name}`);
    t.notThrows(() => parseConfig(controllerEnv(objects)), file);
    const lint = await h.run(['lint', '--strict', CHART, '-f', await h.valuesFile(values)]);
    t.is(lint.code, 0, `${file}: ${lint.stdout}`);
  }
});

/** A fake cluster for `helm --dry-run=server` (whose `lookup` reads it), removed after the test. */
async function installedCluster(t: ExecutionContext) {
  const kube = await startFakeKube();
  const dir = await mkdtemp(join(tmpdir(), 'slipway-chart-kube-'));
  t.teardown(async () => { await kube.close(); await rm(dir, { recursive: true, force: true }); });
  return { kube, kubeconfig: await kube.writeKubeconfig(dir), h: await helm };
}

test('generated S3 and registry credentials are read back on upgrade (lookup), not regenerated', async (t) => {
  const { kube, kubeconfig, h } = await installedCluster(t);
  // First install: what the chart generates, stored as the API server would store it.
  const first = await h.render({}) as Obj[];
  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: RELEASE_NAMESPACE } } as never);
  for (const name of ['slipway-s3', 'slipway-registry-auth', 'slipway-admin']) {
    const secret = find(first, 'Secret', name)!;
    await kube.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: RELEASE_NAMESPACE }, type: secret.type, data: secret.data } as never);
  }
  const upgrade = await h.render({}, ['--dry-run=server'], kubeconfig) as Obj[];
  for (const name of ['slipway-s3', 'slipway-registry-auth', 'slipway-admin', 'slipway-registry']) {
    t.deepEqual(find(upgrade, 'Secret', name)!.data, find(first, 'Secret', name)!.data, name);
  }
  // Without lookup (plain helm template) they would differ: the check above means something.
  const fresh = await h.render({}) as Obj[];
  t.notDeepEqual(find(fresh, 'Secret', 'slipway-s3')!.data, find(first, 'Secret', 'slipway-s3')!.data);
  t.notDeepEqual(find(fresh, 'Secret', 'slipway-registry-auth')!.data, find(first, 'Secret', 'slipway-registry-auth')!.data);
});

test('a password given in the values replaces the stored one on upgrade', async (t) => {
  const { kube, kubeconfig, h } = await installedCluster(t);
  const first = await h.render({}) as Obj[];
  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: RELEASE_NAMESPACE } } as never);
  const stored = find(first, 'Secret', 'slipway-registry-auth')!;
  await kube.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slipway-registry-auth', namespace: RELEASE_NAMESPACE }, data: stored.data } as never);
  const upgrade = await h.render({ registry: { password: 'a-new-password-123' } }, ['--dry-run=server'], kubeconfig) as Obj[];
  const data = find(upgrade, 'Secret', 'slipway-registry-auth')!.data!;
  t.is(decode(data.password!), 'a-new-password-123');
  t.not(data.htpasswd, stored.data!.htpasswd);
});
