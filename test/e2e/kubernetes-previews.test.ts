/**
 * Pull request previews on Kubernetes (issue 15), over real sockets: the server with
 * `SLIPWAY_RUNTIME=kubernetes` on the fake API server (every object schema-checked), a
 * repository served by git http-backend with a `refs/pull/N/head`, and signed GitHub
 * deliveries. The preview's App, Job, Deployment, Service and Ingress appear on opening
 * and are all gone on closing.
 */
import test from 'ava';
import { startKubeWorld } from '../helpers/kube-server.ts';
import { startGitServer } from '../helpers/git-server.ts';
import { createBareRepo, createWorkRepo } from '../helpers/git-repo.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { githubPullDelivery } from '../helpers/pull-request-delivery.ts';

const base = '/api/v1/namespaces/workspace/applications';
const SECRET = 'kube-previews-secret';

test('a pull request gets its own App, Job, Deployment, Service and Ingress; closing it removes them all', async (t) => {
  const w = await startKubeWorld({ autoJobs: 'complete' });
  t.teardown(() => w.close());
  const repos = await makeTempDir('slipway-kube-previews-');
  await createBareRepo(repos.dir, 'acme/web');
  const git = await startGitServer({ root: repos.dir });
  const work = await createWorkRepo();
  t.teardown(async () => { await git.close(); await work.cleanup(); await repos.cleanup(); });
  const url = `${git.url}/acme/web.git`;
  await work.write({ 'package.json': '{"name":"web","scripts":{"start":"node server.js"}}', 'server.js': 'console.log(1)' });
  await work.commit('main');
  await work.push(url, ['main']);
  await work.branch('feature');
  await work.write({ 'server.js': 'console.log(2)' });
  const head = await work.commit('feature');
  await work.push(url, ['feature', 'feature:refs/pull/3/head']);

  const server = await w.server({ SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1', SLIPWAY_GITHUB_WEBHOOK_SECRET: SECRET, SLIPWAY_WATCH_DEBOUNCE_MS: '0' });
  await w.kube.waitFor(() => w.kube.object('v1', 'Namespace', undefined, 'workspace'));
  const created = await server.request('POST', base, { name: 'web', origin: { kind: 'git', url, revision: 'main', watch: true, interval: '1h' } });
  t.is(created.status, 201, await created.clone().text());
  await w.kube.waitFor(() => (w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'web') as any)?.status?.release, { timeoutMs: 20_000 });
  const enabled = await server.request('POST', `${base}/web/previews`, { enabled: true });
  t.is(enabled.status, 200, await enabled.clone().text());
  t.like(await enabled.json(), { previews: { enabled: true, max: 5, allowForks: false } });

  const deliver = async (action: 'opened' | 'closed') => {
    const delivery = githubPullDelivery({ repoUrl: url, number: 3, action, head, secret: SECRET });
    const response = await fetch(`${server.url}${delivery.path}`, { method: 'POST', body: delivery.body, headers: delivery.headers });
    return response.status;
  };
  const owned = () => ({
    app: w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'web-pr-3') as any,
    jobs: w.kube.objects('batch/v1', 'Job', 'workspace').filter((j: any) => j.metadata.labels?.['slipway.dev/app'] === 'web-pr-3'),
    deployment: w.kube.object('apps/v1', 'Deployment', 'workspace', 'web-pr-3') as any,
    service: w.kube.object('v1', 'Service', 'workspace', 'web-pr-3'),
    ingresses: w.kube.objects('networking.k8s.io/v1', 'Ingress', 'workspace').filter((i: any) => i.metadata.labels?.['slipway.dev/app'] === 'web-pr-3') as any[],
  });

  t.is(await deliver('opened'), 202);
  const app: any = await w.kube.waitFor(() => owned().app?.status?.release && owned().app, { timeoutMs: 30_000 });
  t.is(app.status.release.revision, head);
  t.like(app.spec, { instances: 1, preview: { parent: 'web', number: 3, ref: 'refs/pull/3/head' } });
  const live = owned();
  t.is(live.jobs.length, 1);
  t.is(live.deployment.spec.replicas, 1);
  t.truthy(live.service);
  t.is(live.ingresses.length, 1);
  t.is(live.ingresses[0].spec.rules[0].host, 'web-pr-3.apps.test');
  const listed = await (await server.request('GET', `${base}/web/previews`)).json() as any;
  t.like(listed.items[0], { name: 'web-pr-3', number: 3, revision: head, url: 'http://web-pr-3.apps.test/' });

  t.is(await deliver('closed'), 202);
  await w.kube.waitFor(() => {
    const now = owned();
    return !now.app && now.jobs.length === 0 && !now.deployment && !now.service && now.ingresses.length === 0;
  }, { timeoutMs: 20_000 });
  t.truthy(w.kube.object('apps/v1', 'Deployment', 'workspace', 'web'), 'the parent keeps running');
  t.deepEqual(w.kube.rejections, [], 'every object Slipway sent passed the schemas');
});
