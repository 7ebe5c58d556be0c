/**
 * The derived system domain on the fake cluster (issue 10, "Issuers and domain"):
 * without SLIPWAY_SYSTEM_DOMAIN, apps get `<app>.<ingress LB IP>.sslip.io`, read from the
 * ingress controller's Service and followed while the server runs; with no address,
 * `/api/v1/info` and the failed deploy say what to do.
 */
import test from 'ava';
import { startKubeWorld, type KubeWorld } from '../helpers/kube-server.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { goodTree, tgzOf } from '../helpers/archives.ts';

const base = '/api/v1/namespaces/workspace/applications';

async function deploy(w: KubeWorld, server: TestServer, app: string): Promise<any> {
  if ((await server.request('GET', `${base}/${app}`)).status === 404) {
    const created = await server.request('POST', base, { name: app });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
  }
  const stored = await server.request('POST', `${base}/${app}/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  if (stored.status !== 200) throw new Error(`store: ${stored.status} ${await stored.text()}`);
  const started = await server.request('POST', `${base}/${app}/deployments`, {});
  const { id } = await started.json() as { id: string };
  const job = await w.kube.waitFor(() => w.kube.objects('batch/v1', 'Job', 'workspace').find((j: any) => j.metadata.labels?.['slipway.dev/app'] === app && !j.status?.succeeded && !j.status?.failed));
  w.kube.jobs.complete('workspace', job.metadata!.name!);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const run = await (await server.request('GET', `${base}/${app}/deployments/${id}`)).json() as any;
    if (run.phase === 'succeeded' || run.phase === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.phase}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const info = async (server: TestServer) => (await server.request('GET', '/api/v1/info')).json() as Promise<any>;

/** Polls the info endpoint until `check` holds (or the deadline), and returns the last answer. */
async function infoWhen(server: TestServer, check: (i: any) => boolean): Promise<any> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const current = await info(server);
    if (check(current) || Date.now() > deadline) return current;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function traefik(ingress: Array<{ ip?: string; hostname?: string }>) {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'traefik', namespace: 'kube-system' },
    spec: { type: 'LoadBalancer', selector: { app: 'traefik' }, ports: [{ name: 'web', port: 80, targetPort: 8000 }] },
    status: { loadBalancer: { ingress } },
  };
}

test('without SLIPWAY_SYSTEM_DOMAIN, default routes wait for the ingress Service\'s IP, then use <ip>.sslip.io', async (t) => {
  const w = await startKubeWorld();
  t.teardown(() => w.close());
  const server = await w.server({ SLIPWAY_SYSTEM_DOMAIN: '' });

  const before = await info(server);
  t.is(before.systemDomain, '');
  t.regex(before.systemDomainProblem, /kube-system\/traefik.*does not exist.*SLIPWAY_SYSTEM_DOMAIN/);
  const failed = await deploy(w, server, 'web');
  t.is(failed.phase, 'failed');
  t.is(failed.error.code, 'system_domain_unknown');
  t.regex(failed.error.message, /SLIPWAY_SYSTEM_DOMAIN/);

  await w.kube.seed(traefik([]));
  t.regex((await infoWhen(server, (i) => /no load-balancer IP/.test(i.systemDomainProblem ?? ''))).systemDomainProblem, /no load-balancer IP address yet/);

  await w.kube.seed(traefik([{ ip: '203.0.113.7' }]));
  const after = await infoWhen(server, (i) => i.systemDomain === '203.0.113.7.sslip.io');
  t.is(after.systemDomain, '203.0.113.7.sslip.io');
  t.is(after.systemDomainProblem, undefined);
  const run = await deploy(w, server, 'web');
  t.is(run.phase, 'succeeded', JSON.stringify(run.error));
  t.deepEqual(run.routes, ['web.203.0.113.7.sslip.io']);
  t.deepEqual(w.kube.rejections, []);
});

test('a set SLIPWAY_SYSTEM_DOMAIN wins over the ingress Service', async (t) => {
  const w = await startKubeWorld();
  t.teardown(() => w.close());
  await w.kube.seed(traefik([{ ip: '203.0.113.7' }]));
  const server = await w.server();
  t.like(await info(server), { systemDomain: 'apps.test' });
  t.is((await info(server)).systemDomainProblem, undefined);
});
