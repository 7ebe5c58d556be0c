import test from 'ava';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { unknownFields } from '../../helpers/fake-kube/unknown-fields.ts';
import { buildDeployment } from '../../../controller/adapters/kube/runtime/deploy/build-deployment.ts';
import { buildService } from '../../../controller/adapters/kube/runtime/deploy/build-service.ts';
import { buildIngresses, ingressName, routeUrl, splitRoute } from '../../../controller/adapters/kube/runtime/deploy/build-ingresses.ts';

const owner = { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true };

const deployment = () => buildDeployment({
  namespace: 'team', app: 'web', stageId: 's-1', image: 'reg/team-web:s-1', instances: 3,
  envSecret: 'web-env', registrySecret: 'slipway-registry', progressDeadlineSeconds: 300, owner,
});

test('the Deployment passes Kubernetes schema validation', (t) => {
  t.notThrows(() => new Deployment(deployment() as never).validate());
  t.deepEqual(unknownFields(deployment(), 'V1Deployment'), []);
});

test('the Deployment runs the image as a hardened non-root container on port 8080 with the env Secret', (t) => {
  const d = deployment();
  const spec = d.spec!;
  t.is(spec.replicas, 3);
  t.deepEqual(spec.selector.matchLabels, { 'slipway.dev/app': 'web', 'app.kubernetes.io/component': 'app' });
  t.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  t.is(spec.progressDeadlineSeconds, 300);
  t.true((spec.revisionHistoryLimit ?? 10) <= 5);
  t.is(d.metadata!.annotations!['slipway.dev/stage-id'], 's-1');
  t.deepEqual(d.metadata!.ownerReferences, [owner]);
  const pod = spec.template;
  t.like(pod.metadata!.labels, { 'slipway.dev/app': 'web', 'app.kubernetes.io/managed-by': 'slipway', 'app.kubernetes.io/component': 'app', 'slipway.dev/stage-id': 's-1' });
  // Every selector label is on the pods, or the API server refuses the Deployment.
  for (const [k, v] of Object.entries(spec.selector.matchLabels!)) t.is(pod.metadata!.labels![k], v);
  t.deepEqual(pod.spec!.imagePullSecrets, [{ name: 'slipway-registry' }]);
  const [container, ...others] = pod.spec!.containers;
  t.is(others.length, 0);
  t.is(container!.name, 'app');
  t.is(container!.image, 'reg/team-web:s-1');
  t.deepEqual(container!.env, [{ name: 'PORT', value: '8080' }]);
  t.deepEqual(container!.envFrom, [{ secretRef: { name: 'web-env' } }]);
  t.deepEqual(container!.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  t.deepEqual(container!.readinessProbe!.tcpSocket, { port: 'http' });
  t.truthy(container!.resources!.requests!.cpu);
  t.truthy(container!.resources!.requests!.memory);
  t.like(container!.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
});

test('the Deployment has no owner reference when there is no App resource', (t) => {
  const d = buildDeployment({ namespace: 'team', app: 'web', stageId: 's-1', image: 'i', instances: 1, envSecret: 'web-env', registrySecret: 'r', progressDeadlineSeconds: 60 });
  t.is(d.metadata!.ownerReferences, undefined);
  t.notThrows(() => new Deployment(d as never).validate());
});

test('the Service maps port 80 to the pods\' http port and selects only app pods, never build pods', (t) => {
  const s = buildService('team', 'web', owner);
  t.notThrows(() => new Service(s as never).validate());
  t.deepEqual(unknownFields(s, 'V1Service'), []);
  t.is(s.spec!.type, 'ClusterIP');
  t.deepEqual(s.spec!.selector, { 'slipway.dev/app': 'web', 'app.kubernetes.io/component': 'app' });
  t.deepEqual(s.spec!.ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  t.deepEqual(s.metadata!.ownerReferences, [owner]);
});

const routeCases = test.macro({
  exec(t, route: string, host: string, path: string, url: string) {
    t.deepEqual(splitRoute(route), { host, path });
    t.is(routeUrl(route, false), url);
    t.is(routeUrl(route, true), url.replace('http:', 'https:'));
  },
  title: (given, route: string) => given ?? `route ${route}`,
});
test(routeCases, 'web.example.com', 'web.example.com', '/', 'http://web.example.com/');
test(routeCases, 'example.com/api', 'example.com', '/api', 'http://example.com/api');
test(routeCases, 'example.com/api/v1/', 'example.com', '/api/v1', 'http://example.com/api/v1');
test(routeCases, 'example.com/', 'example.com', '/', 'http://example.com/');

test('one valid Ingress per route: host rule, Prefix path, class, backend the Service', (t) => {
  const ingresses = buildIngresses({ namespace: 'team', app: 'web', routes: ['web.example.com', 'example.com/api'], ingressClass: 'traefik', owner });
  t.is(ingresses.length, 2);
  for (const ingress of ingresses) {
    t.notThrows(() => new Ingress(ingress as never).validate());
    t.is(ingress.spec!.ingressClassName, 'traefik');
    t.is(ingress.spec!.tls, undefined);
    t.is(ingress.metadata!.annotations, undefined);
    t.deepEqual(ingress.metadata!.ownerReferences, [owner]);
    t.is(ingress.metadata!.labels!['slipway.dev/app'], 'web');
  }
  t.is(ingresses[0]!.metadata!.name, 'web');
  t.deepEqual(ingresses[0]!.spec!.rules, [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }]);
  t.regex(ingresses[1]!.metadata!.name!, /^web-[0-9a-f]{8}$/);
  t.is(ingresses[1]!.spec!.rules![0]!.host, 'example.com');
  t.is(ingresses[1]!.spec!.rules![0]!.http!.paths[0]!.path, '/api');
});

test('with a TLS issuer each Ingress asks cert-manager for a certificate in <ingress>-tls', (t) => {
  const ingresses = buildIngresses({ namespace: 'team', app: 'web', routes: ['web.example.com', 'example.com/api'], ingressClass: 'nginx', tlsIssuer: 'letsencrypt' });
  for (const ingress of ingresses) {
    t.notThrows(() => new Ingress(ingress as never).validate());
    t.deepEqual(unknownFields(ingress, 'V1Ingress'), []);
    t.is(ingress.metadata!.annotations!['cert-manager.io/cluster-issuer'], 'letsencrypt');
    t.deepEqual(ingress.spec!.tls, [{ hosts: [ingress.spec!.rules![0]!.host!], secretName: `${ingress.metadata!.name}-tls` }]);
  }
});

test('an Ingress keeps its name when other routes come and go', (t) => {
  const before = buildIngresses({ namespace: 'n', app: 'web', routes: ['a.example', 'b.example', 'c.example'], ingressClass: 'traefik' }).map((i) => i.metadata!.name);
  const after = buildIngresses({ namespace: 'n', app: 'web', routes: ['a.example', 'c.example'], ingressClass: 'traefik' }).map((i) => i.metadata!.name);
  t.is(after[1], before[2]);
  t.is(ingressName('web', 'anything', 0), 'web');
  t.not(ingressName('web', 'x.example', 1), ingressName('web', 'y.example', 1));
});

test('duplicate routes make one Ingress', (t) => {
  t.is(buildIngresses({ namespace: 'n', app: 'web', routes: ['a.example', 'a.example'], ingressClass: 'traefik' }).length, 1);
});
