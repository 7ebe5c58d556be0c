/**
 * `helm install` as a platform team runs it, on the fake API (issue 10): the chart is
 * rendered with `helm template --include-crds` (with its default values, batteries on,
 * and with every battery off for an external S3 and registry), the namespace created
 * and everything applied with the real kubectl (`apply --server-side`), so the fake's
 * schema and semantic validation sees every object the chart makes. Then Slipway starts
 * with exactly the environment the chart's Deployment gives its container (Secrets
 * resolved from what was applied), a push runs, and the Deployment it makes pulls its
 * image from the registry's pull address.
 *
 * What cannot be the chart's here: the API server address (the fake's kubeconfig instead
 * of the in-cluster service account), the listening address and data folder, the pod
 * name (the downward API), and S3 — the S3 battery's in-cluster URL is replaced by an
 * emulator's.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kubeTools } from '../helpers/kube-tools.ts';
import { startFakeKube, type FakeKube } from '../helpers/fake-kube/index.ts';
import { startS3Emulator, emulatorCredentials } from '../helpers/s3-emulator.ts';
import { basic, startTestServer } from '../helpers/test-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { goodTree, tgzOf } from '../helpers/archives.ts';
import { createHelmRunner, RELEASE_NAMESPACE, type KubeObject } from '../integration/chart/helm-runner.ts';

const helm = createHelmRunner();
test.after.always(async () => (await helm).dispose());

type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: unknown } };

/** The controller container's environment, with secretKeyRefs read from the applied Secrets. */
function controllerEnv(objects: KubeObject[], kube: FakeKube): Record<string, string> {
  const deployment = objects.find((o) => o.kind === 'Deployment' && (o.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/component'] === 'controller') as unknown as
    { spec: { template: { spec: { containers: { env: EnvVar[] }[] } } } };
  const env: Record<string, string> = {};
  for (const variable of deployment.spec.template.spec.containers[0]!.env) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) {
      const secret = kube.object('v1', 'Secret', RELEASE_NAMESPACE, ref.name) as { data?: Record<string, string> } | undefined;
      const value = secret?.data?.[ref.key];
      if (value !== undefined) env[variable.name] = Buffer.from(value, 'base64').toString('utf8');
      else if (!ref.optional) throw new Error(`the chart's Deployment reads ${ref.name}/${ref.key}, which the chart did not create`);
    }
  }
  return env;
}

async function installAndPush(t: import('ava').ExecutionContext, values: object, expectImage: RegExp) {
  const [tools, temp, kube, s3] = await Promise.all([kubeTools(), makeTempDir('slipway-helm-install-'), startFakeKube(), startS3Emulator()]);
  t.teardown(async () => { await Promise.all([kube.close(), s3.close()]); await temp.cleanup(); });
  const kubeconfig = await kube.writeKubeconfig(temp.dir);
  const kubectl = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(tools.kubectl, ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env: { PATH: process.env.PATH, HOME: temp.dir }, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });

  const runner = await helm;
  const objects = await runner.render(values, ['--include-crds']);
  const manifest = join(temp.dir, 'slipway.yaml');
  await writeFile(manifest, objects.map((o) => `---\n${stringify(o)}`).join(''));
  const created = await kubectl('create', 'namespace', RELEASE_NAMESPACE);
  t.is(created.code, 0, created.stderr);
  const applied = await kubectl('apply', '--server-side', '--validate=false', '-f', manifest);
  t.is(applied.code, 0, `kubectl apply of the chart failed:\n${applied.stderr}`);
  t.deepEqual(kube.rejections, [], 'the API server accepted every object of the chart');

  const env = controllerEnv(objects, kube);
  const password = env.SLIPWAY_ADMIN_PASSWORD!;
  t.truthy(password, 'the chart gives the controller an admin password');
  process.env.AWS_ACCESS_KEY_ID = emulatorCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = emulatorCredentials.secretAccessKey;
  const server = await startTestServer({
    ...env,
    SLIPWAY_HOST: '127.0.0.1', SLIPWAY_PORT: '0', SLIPWAY_DATA_DIR: join(temp.dir, 'data'), SLIPWAY_POD_NAME: 'slipway-0',
    SLIPWAY_LOG_LEVEL: 'silent', SLIPWAY_S3_ENDPOINT: s3.endpoint, SLIPWAY_SYSTEM_DOMAIN: env.SLIPWAY_SYSTEM_DOMAIN ?? 'apps.example.com',
  }, { kubeConfig: kube.kubeConfig(), lostLeadership: () => {} });
  t.teardown(() => server.close());
  const auth = basic('admin', password);
  const base = '/api/v1/namespaces/workspace/applications';
  const call = async (method: string, path: string, body?: unknown, init: RequestInit = {}) => {
    const response = await server.request(method, path, body, { ...init, auth });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  await call('POST', base, { name: 'web' });
  await call('POST', `${base}/web/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  const run = await call('POST', `${base}/web/deployments`, {});
  const job = await kube.waitFor(() => kube.objects('batch/v1', 'Job', 'workspace')[0], { timeoutMs: 20_000 }) as any;
  kube.jobs.complete('workspace', job.metadata.name, { logs: { main: ['===> BUILDING', 'done'] } });
  const deadline = Date.now() + 30_000;
  let finished: any;
  while (!(finished = await call('GET', `${base}/web/deployments/${run.id}`)).finishedAt) {
    if (Date.now() > deadline) throw new Error(`the run is still ${finished.phase}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.is(finished.phase, 'succeeded', JSON.stringify(finished.error));
  const deployment = kube.object('apps/v1', 'Deployment', 'workspace', 'web') as any;
  t.regex(deployment.spec.template.spec.containers[0].image, expectImage);
  t.deepEqual(kube.rejections, [], 'the API server accepted every object Slipway made');
  return { job, objects, kube };
}

test('the default install (registry and S3 batteries) applies cleanly and a push deploys an image pulled through the NodePort', async (t) => {
  t.timeout(120_000);
  const { job, objects } = await installAndPush(t, {}, /^127\.0\.0\.1:30500\/workspace\/web:/);
  const build = job.spec.template.spec.containers[0];
  t.regex(build.args.at(-1), /^slipway-registry\.slipway-system\.svc\.cluster\.local:5000\/workspace\/web:/, 'the build pushes over the cluster Service');
  t.true(build.env.some((e: EnvVar) => e.name === 'CNB_INSECURE_REGISTRIES' && e.value === 'slipway-registry.slipway-system.svc.cluster.local:5000'));
  const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  t.true(kinds.includes('Service/slipway-registry-node'), kinds.join(', '));
});

test('with every battery off (external S3 and registry) the install applies cleanly and a push deploys from the external registry', async (t) => {
  t.timeout(120_000);
  const { objects } = await installAndPush(t, {
    s3: { endpoint: 'https://s3.eu-west-1.amazonaws.com', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example-secret-key' },
    registry: { host: 'registry.example.com/team', username: 'builder', password: 'registry-pass' },
    systemDomain: 'apps.example.com',
  }, /^registry\.example\.com\/team\/workspace\/web:/);
  const batteries = objects.filter((o) => (o.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/component']?.match(/registry|s3/));
  t.deepEqual(batteries.map((o) => `${o.kind}/${o.metadata.name}`), []);
});
