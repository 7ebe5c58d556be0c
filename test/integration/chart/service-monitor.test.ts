/**
 * The chart's optional ServiceMonitor and the metrics token (issue 13): off by default;
 * on, it scrapes the controller Service's `http` port at /metrics, and with a token the
 * controller requires it and the ServiceMonitor sends it from the same Secret.
 */
import test from 'ava';
import { parseConfig } from '../../../core/config.ts';
import { createHelmRunner, type KubeObject } from './helm-runner.ts';
import { validateObject } from './validate-object.ts';

const helm = createHelmRunner();
test.after.always(async () => (await helm).dispose());

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
const controllerEnv = (objects: KubeObject[]) => {
  const deployment = objects.find((o) => o.kind === 'Deployment' && (o.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/component'] === 'controller') as unknown as
    { spec: { template: { spec: { containers: { env: Env[] }[] } } } };
  return deployment.spec.template.spec.containers[0]!.env;
};
const monitors = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'ServiceMonitor') as (KubeObject & { spec: any })[];

test('no ServiceMonitor and open metrics by default', async (t) => {
  const objects = await (await helm).render({});
  t.deepEqual(monitors(objects), []);
  t.false(controllerEnv(objects).some((e) => e.name === 'SLIPWAY_METRICS_TOKEN'));
});

test('a ServiceMonitor selects the controller Service by its labels and scrapes its http port', async (t) => {
  const objects = await (await helm).render({ metrics: { serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'kube-prometheus' } } } });
  const [monitor] = monitors(objects);
  t.truthy(monitor);
  t.deepEqual(await validateObject(monitor!), []);
  t.is(monitor!.metadata.namespace, 'slipway-system');
  t.is((monitor!.metadata as unknown as { labels: Record<string, string> }).labels.release, 'kube-prometheus');
  const services = objects.filter((o) => o.kind === 'Service') as (KubeObject & { metadata: { labels: Record<string, string> }; spec: { ports: { name: string }[] } })[];
  const selected = services.filter((s) => Object.entries(monitor!.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => s.metadata.labels[k] === v));
  t.deepEqual(selected.map((s) => s.metadata.name), ['slipway'], 'only the controller Service, not the batteries');
  t.true(selected[0]!.spec.ports.some((p) => p.name === monitor!.spec.endpoints[0].port));
  t.like(monitor!.spec.endpoints[0], { path: '/metrics', interval: '15s' });
  t.is(monitor!.spec.endpoints[0].authorization, undefined);
});

test('a metrics token reaches the controller and the ServiceMonitor from one Secret', async (t) => {
  const token = 'a-metrics-token-of-32-characters';
  const objects = await (await helm).render({ metrics: { token, serviceMonitor: { enabled: true } } });
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'slipway-metrics') as KubeObject & { data: Record<string, string> };
  t.is(Buffer.from(secret.data.token!, 'base64').toString(), token);
  const env = controllerEnv(objects).find((e) => e.name === 'SLIPWAY_METRICS_TOKEN');
  t.deepEqual(env?.valueFrom?.secretKeyRef, { name: 'slipway-metrics', key: 'token' });
  t.deepEqual(monitors(objects)[0]!.spec.endpoints[0].authorization, { type: 'Bearer', credentials: { name: 'slipway-metrics', key: 'token' } });
  t.is(parseConfig({ SLIPWAY_METRICS_TOKEN: token }).metricsToken, token);
});

test('an existing Secret for the token is used as it is', async (t) => {
  const objects = await (await helm).render({ metrics: { existingSecret: 'ops-metrics', existingSecretKey: 'bearer', serviceMonitor: { enabled: true } } });
  t.false(objects.some((o) => o.kind === 'Secret' && o.metadata.name === 'slipway-metrics'));
  t.deepEqual(controllerEnv(objects).find((e) => e.name === 'SLIPWAY_METRICS_TOKEN')?.valueFrom?.secretKeyRef, { name: 'ops-metrics', key: 'bearer' });
  t.deepEqual(monitors(objects)[0]!.spec.endpoints[0].authorization.credentials, { name: 'ops-metrics', key: 'bearer' });
});

test('a token under 16 characters and a bad interval are refused by the values schema', async (t) => {
  const runner = await helm;
  await t.throwsAsync(runner.render({ metrics: { token: 'short' } }), { message: /metrics\.token|metrics\/token/ });
  await t.throwsAsync(runner.render({ metrics: { serviceMonitor: { enabled: true, interval: 'often' } } }), { message: /interval/ });
});
