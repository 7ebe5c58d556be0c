/**
 * `slipway server` with SLIPWAY_RUNTIME=kubernetes as a user starts it, against the
 * fake API: a `kubectl proxy`-style kubeconfig (plain http, no
 * insecure-skip-tls-verify) works, and a cluster without the release namespace or its
 * Secrets stops the start with one message naming what to create (issue 10, item 11).
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startKubeWorld, APP_CRD } from '../helpers/kube-server.ts';
import { startFakeKube } from '../helpers/fake-kube/index.ts';
import { startServerProcess } from '../helpers/server-process.ts';
import { emulatorCredentials, startS3Emulator } from '../helpers/s3-emulator.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

/** A kubeconfig as `kubectl proxy` users have it: `server: http://…` and nothing about TLS. */
async function proxyKubeconfig(url: string, dir: string): Promise<string> {
  const path = join(dir, 'kubeconfig');
  await writeFile(path, stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'proxy', cluster: { server: url } }],
    users: [{ name: 'proxy', user: {} }],
    contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }],
    'current-context': 'proxy',
  }), { mode: 0o600 });
  return path;
}

function serverEnv(dir: string, kubeconfig: string, s3: string): Record<string, string> {
  return {
    SLIPWAY_DATA_DIR: dir, SLIPWAY_ADMIN_PASSWORD: 'startup-test-password', SLIPWAY_RUNTIME: 'kubernetes', KUBECONFIG: kubeconfig,
    SLIPWAY_S3_ENDPOINT: s3, SLIPWAY_S3_BUCKET: 'slipway-test', AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
    SLIPWAY_REGISTRY: 'registry.test', SLIPWAY_SYSTEM_DOMAIN: 'apps.test', SLIPWAY_LEASE_DURATION_MS: '2000',
  };
}

test('a plain-http kubeconfig server (kubectl proxy) without insecure-skip-tls-verify works', async (t) => {
  const w = await startKubeWorld();
  t.teardown(() => w.close());
  const dir = await makeTempDir('slipway-proxy-');
  t.teardown(() => dir.cleanup());
  const server = await startServerProcess(serverEnv(dir.dir, await proxyKubeconfig(w.kube.url, dir.dir), w.s3.endpoint));
  t.teardown(async () => { await server.stop('SIGKILL'); });
  await w.kube.waitFor(() => (w.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as any)?.spec?.holderIdentity);
  t.notRegex(server.stderr(), /HTTP protocol is not allowed/);
});

test('a cluster without the release namespace or its Secrets stops the start with what to create', async (t) => {
  const [kube, s3] = await Promise.all([startFakeKube({ crds: [APP_CRD] }), startS3Emulator()]);
  t.teardown(async () => { await kube.close(); await s3.close(); });
  const dir = await makeTempDir('slipway-missing-');
  t.teardown(() => dir.cleanup());
  const kubeconfig = await kube.writeKubeconfig(dir.dir);
  const failed = await t.throwsAsync(startServerProcess(serverEnv(dir.dir, kubeconfig, s3.endpoint)));
  t.regex(failed!.message, /exited with 1/);
  t.regex(failed!.message, /kubectl create namespace slipway-system/);
  t.regex(failed!.message, /kubectl create secret docker-registry slipway-registry -n slipway-system/);
  t.regex(failed!.message, /kubectl create secret generic slipway-s3 -n slipway-system/);

  await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'slipway-system' } });
  await kube.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slipway-registry', namespace: 'slipway-system' }, type: 'Opaque', data: {} });
  const again = await t.throwsAsync(startServerProcess(serverEnv(dir.dir, kubeconfig, s3.endpoint)));
  t.notRegex(again!.message, /create namespace|slipway-registry/);
  t.regex(again!.message, /the Secret "slipway-s3" in namespace "slipway-system": kubectl create secret generic slipway-s3/);
});
