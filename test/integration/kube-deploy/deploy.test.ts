import test from 'ava';
import { AppsV1Api } from '@kubernetes/client-node';
import { isSlipwayError } from '../../../core/errors.ts';
import { NS, createApp, deployInput, setUp, type Loose } from './deploy-fixture.ts';

test('deploy applies Deployment, Service and Ingress as slipway, owned by the App, and waits for the rollout', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false });
  t.teardown(() => kube.close());
  const uid = await createApp(kube, 'web');
  let settled = false;
  const deploying = deployer.deploy(deployInput('web', 's-1', { instances: 2 })).finally(() => { settled = true; });
  await kube.waitFor(() => kube.object('networking.k8s.io/v1', 'Ingress', NS, 'web'));
  t.false(settled, 'deploy returns only once the rollout is done');
  kube.deployments.rollout(NS, 'web');
  const out = await deploying;
  t.deepEqual(out, { routes: ['web.example.com'], urls: ['http://web.example.com/'] });

  for (const [apiVersion, kind] of [['apps/v1', 'Deployment'], ['v1', 'Service'], ['networking.k8s.io/v1', 'Ingress'], ['v1', 'Secret']] as const) {
    const name = kind === 'Secret' ? 'web-env' : 'web';
    const o = kube.object(apiVersion, kind, NS, name) as Loose | undefined;
    t.truthy(o, `${kind} ${name} exists`);
    t.true(o!.metadata.managedFields?.some((f) => f.manager === 'slipway' && f.operation === 'Apply'), `${kind} is applied by slipway`);
    t.deepEqual(o!.metadata.ownerReferences?.map((r) => [r.kind, r.uid]), [['App', uid]], `${kind} is owned by the App`);
    t.is(o!.metadata.labels?.['slipway.dev/app'], 'web');
  }
  const deployment = kube.object('apps/v1', 'Deployment', NS, 'web') as Loose;
  t.is(deployment.spec.replicas, 2);
  t.is(deployment.metadata.annotations?.['slipway.dev/stage-id'], 's-1');
  t.is(deployment.spec.template.spec.containers[0].image, 'registry.local/team-web:s-1');
  t.is((kube.object('networking.k8s.io/v1', 'Ingress', NS, 'web') as Loose).spec.ingressClassName, 'traefik');
  t.deepEqual(kube.rejections, []);
  t.true(kube.requests.filter((r) => r.method === 'PATCH').every((r) => r.fieldManager === 'slipway'));
});

test('deploy with a TLS issuer: cert-manager Ingresses and https URLs', async (t) => {
  const { kube, deployer } = await setUp({}, { tlsIssuer: 'letsencrypt' });
  t.teardown(() => kube.close());
  const out = await deployer.deploy(deployInput('shop', 's-1', { routes: ['shop.example.com', 'example.com/shop'] }));
  t.deepEqual(out.urls, ['https://shop.example.com/', 'https://example.com/shop']);
  const ingresses = kube.objects('networking.k8s.io/v1', 'Ingress', NS) as unknown as Loose[];
  t.is(ingresses.length, 2);
  for (const ingress of ingresses) {
    t.is(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer'], 'letsencrypt');
    t.is(ingress.spec.tls[0].secretName, `${ingress.metadata.name}-tls`);
  }
  t.deepEqual(ingresses.map((i) => i.spec.rules[0].http.paths[0].path).sort(), ['/', '/shop']);
  t.deepEqual(kube.rejections, []);
});

test('a redeploy with fewer routes deletes the Ingress of the dropped route and updates the Deployment', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  await deployer.deploy(deployInput('web', 's-1', { routes: ['web.example.com', 'www.example.com', 'example.com/web'] }));
  t.is(kube.objects('networking.k8s.io/v1', 'Ingress', NS).length, 3);
  const out = await deployer.deploy(deployInput('web', 's-2', { routes: ['web.example.com', 'example.com/web'] }));
  t.deepEqual(out.routes, ['web.example.com', 'example.com/web']);
  const hosts = (kube.objects('networking.k8s.io/v1', 'Ingress', NS) as unknown as Loose[]).map((i) => i.spec.rules[0].host).sort();
  t.deepEqual(hosts, ['example.com', 'web.example.com']);
  const deployment = kube.object('apps/v1', 'Deployment', NS, 'web') as Loose;
  t.is(deployment.metadata.annotations?.['slipway.dev/stage-id'], 's-2');
  t.is(deployment.spec.template.spec.containers[0].image, 'registry.local/team-web:s-2');
});

test('a redeploy removes an env key from the Secret the pods read', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  await deployer.deploy(deployInput('web', 's-1', { env: { A: '1', B: '2' } }));
  await deployer.deploy(deployInput('web', 's-2', { env: { A: '1' } }));
  const secret = kube.object('v1', 'Secret', NS, 'web-env') as { data?: Record<string, string> };
  t.deepEqual(Object.keys(secret.data ?? {}), ['A']);
});

const failing = test.macro({
  async exec(t, reason: string) {
    // Image pulls are given the pending grace; a short one keeps this test about failing before the deadline.
    const { kube, deployer } = await setUp({ autoRollout: false }, { pendingGraceMs: 300 });
    t.teardown(() => kube.close());
    const deploying = deployer.deploy(deployInput('web', 's-1'));
    deploying.catch(() => {}); // asserted below; must not count as unhandled meanwhile
    await kube.waitFor(() => kube.pods.list(NS, 'slipway.dev/app=web').length > 0);
    kube.deployments.fail(NS, 'web', reason, `${reason} for the test`);
    const started = Date.now();
    const error = await t.throwsAsync(deploying);
    t.true(isSlipwayError(error, 'deploy_failed'), String(error));
    t.true(Date.now() - started < 5_000, 'fails well before the 10 s rollout deadline');
    t.regex(error!.message, new RegExp(`pod web-[a-z0-9]+-[a-z0-9]+: ${reason}: ${reason} for the test`));
  },
  title: (given, reason: string) => given ?? `deploy fails early, naming the pod, on ${reason}`,
});
test(failing, 'ImagePullBackOff');
test(failing, 'ErrImagePull');
test(failing, 'InvalidImageName');
test(failing, 'CrashLoopBackOff');
test(failing, 'CreateContainerConfigError');

test('a transient image pull failure within the pending grace does not fail the rollout', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false }, { pendingGraceMs: 60_000 });
  t.teardown(() => kube.close());
  const deploying = deployer.deploy(deployInput('web', 's-1'));
  deploying.catch(() => {});
  await kube.waitFor(() => kube.pods.list(NS, 'slipway.dev/app=web').length > 0);
  let settled = false;
  deploying.then(() => { settled = true; }, () => { settled = true; });
  kube.deployments.fail(NS, 'web', 'ErrImagePull', 'failed to do request: dial tcp 127.0.0.1:30500: connect: connection refused');
  // The deployer lists the pods again after the failure (a watch event, then its poll): two looks, and it still waits.
  const podLists = () => kube.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${NS}/pods` && r.query.watch !== 'true').length;
  const before = podLists();
  await kube.waitFor(() => settled || podLists() >= before + 2, { timeoutMs: 8_000 });
  t.false(settled, 'still waiting while the pull may recover');
  kube.deployments.rollout(NS, 'web');
  await t.notThrowsAsync(deploying);
});

test('an image pull failing past the pending grace fails the rollout naming the image and the reason', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false }, { pendingGraceMs: 400 });
  t.teardown(() => kube.close());
  const deploying = deployer.deploy(deployInput('web', 's-1'));
  deploying.catch(() => {});
  await kube.waitFor(() => kube.pods.list(NS, 'slipway.dev/app=web').length > 0);
  kube.deployments.fail(NS, 'web', 'ImagePullBackOff', 'Back-off pulling image');
  const error = await t.throwsAsync(deploying);
  t.true(isSlipwayError(error, 'deploy_failed'), String(error));
  t.regex(error!.message, /ImagePullBackOff: Back-off pulling image \(image "registry\.local\/team-web:s-1"\); the image could not be pulled for 0 s \(SLIPWAY_PENDING_GRACE_MS\)/);
});

test('a release recorded at the push address is run from the pull address', async (t) => {
  const { kube, deployer } = await setUp({}, { registry: 'registry.slipway-system.svc.cluster.local:5000', registryPull: '127.0.0.1:30500' });
  t.teardown(() => kube.close());
  await deployer.deploy(deployInput('web', 's-1', { image: 'registry.slipway-system.svc.cluster.local:5000/team-web:s-1' }));
  const deployment = await kube.kubeConfig().makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'web' });
  t.is(deployment.spec!.template.spec!.containers[0]!.image, '127.0.0.1:30500/team-web:s-1');
  // An image elsewhere (a container origin) is run as given.
  await deployer.deploy(deployInput('web', 's-2', { image: 'nginx:1.27' }));
  const again = await kube.kubeConfig().makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'web' });
  t.is(again.spec!.template.spec!.containers[0]!.image, 'nginx:1.27');
});

test('deploy fails on ProgressDeadlineExceeded', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false });
  t.teardown(() => kube.close());
  const deploying = deployer.deploy(deployInput('web', 's-1'));
  deploying.catch(() => {});
  await kube.waitFor(() => kube.pods.list(NS, 'slipway.dev/app=web').length > 0);
  // Pods still ContainerCreating when Kubernetes gives up on the rollout.
  kube.deployments.fail(NS, 'web', 'ContainerCreating', undefined, { progressDeadlineExceeded: true });
  const error = await t.throwsAsync(deploying);
  t.true(isSlipwayError(error, 'deploy_failed'));
  t.regex(error!.message, /ProgressDeadlineExceeded/);
});

test('a CrashLoopBackOff failure carries the crashed container\'s last log lines', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false });
  t.teardown(() => kube.close());
  const deploying = deployer.deploy(deployInput('web', 's-1'));
  deploying.catch(() => {});
  const [pod] = (await kube.waitFor(() => { const pods = kube.pods.list(NS, 'slipway.dev/app=web'); return pods.length > 0 ? pods : undefined; }))!;
  kube.pods.appendLog(NS, pod!.metadata.name!, 'app', ['listening on 8080', 'Error: Cannot find module express']);
  kube.deployments.fail(NS, 'web', 'CrashLoopBackOff', 'back-off 40s restarting failed container');
  const error = await t.throwsAsync(deploying);
  t.deepEqual((error as { data?: { log?: string[] } }).data?.log, ['listening on 8080', 'Error: Cannot find module express']);
});

test('deploy fails at the rollout deadline when the pods never become ready', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false }, { rolloutTimeoutMs: 1_500 });
  t.teardown(() => kube.close());
  const error = await t.throwsAsync(deployer.deploy(deployInput('web', 's-1')));
  t.true(isSlipwayError(error, 'deploy_failed'));
  t.regex(error!.message, /within 2 s/);
});

test('deploy converges through dropped watches, 500s and 409 storms', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false });
  t.teardown(() => kube.close());
  kube.faults.conflicts({ times: 3, match: (r) => r.path.includes('/deployments/') });
  kube.faults.fail({ times: 2, match: (r) => r.method === 'PATCH' && r.path.includes('/services/') });
  const deploying = deployer.deploy(deployInput('web', 's-1'));
  await kube.waitFor(() => kube.object('networking.k8s.io/v1', 'Ingress', NS, 'web'));
  // The watches are open now; losing them and a few reads must not lose the rollout.
  const watches = () => kube.requests.filter((r) => r.query.watch === 'true').length;
  await kube.waitFor(() => watches() >= 2);
  const opened = watches();
  kube.faults.compact();
  kube.faults.dropWatches();
  await kube.waitFor(() => watches() >= opened + 2);
  t.pass('both watches were opened again');
  kube.faults.fail({ times: 2, match: (r) => r.method === 'GET' && r.query.watch !== 'true' });
  kube.deployments.rollout(NS, 'web');
  const out = await deploying;
  t.deepEqual(out.routes, ['web.example.com']);
  t.deepEqual(kube.rejections, []);
});

test('logs keep following after the pod watch drops', async (t) => {
  const { kube, deployer } = await setUp();
  t.teardown(() => kube.close());
  await deployer.deploy(deployInput('web', 's-1'));
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const seen: string[] = [];
  void (async () => { for await (const line of deployer.logs(NS, 'web', { follow: true, signal: abort.signal })) seen.push(line.text); })();
  await kube.waitFor(() => kube.requests.some((r) => r.query.watch === 'true' && r.path.endsWith('/pods')));
  kube.faults.dropWatches();
  await deployer.deploy(deployInput('web', 's-2'));
  const [pod] = kube.pods.list(NS, 'slipway.dev/app=web').map((p) => p.metadata.name!);
  kube.pods.appendLog(NS, pod!, 'app', ['after the drop']);
  await kube.waitFor(() => seen.includes('after the drop'), { timeoutMs: 8_000 });
  t.pass();
});

test('a deploy aborted by its signal stops waiting', async (t) => {
  const { kube, deployer } = await setUp({ autoRollout: false });
  t.teardown(() => kube.close());
  const abort = new AbortController();
  const deploying = deployer.deploy(deployInput('web', 's-1', { signal: abort.signal }));
  await kube.waitFor(() => kube.object('apps/v1', 'Deployment', NS, 'web'));
  abort.abort();
  await t.throwsAsync(deploying);
});
