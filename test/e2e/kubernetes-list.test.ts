/**
 * `GET …/applications` on Kubernetes answers from kept per-app JSON (issue 12): what it
 * lists of each app is the summary of what the app's own GET shows (ADR 0007; all of it
 * with `?history=full`), and a change to an App shows in the next listing.
 */
import test from 'ava';
import { startKubeWorld } from '../helpers/kube-server.ts';
import { goodTree, tgzOf } from '../helpers/archives.ts';
import { appSummary } from '../../core/app-summary.ts';

const base = '/api/v1/namespaces/workspace/applications';

test('the listing shows each app as its own GET does, and a changed App with its change', async (t) => {
  const w = await startKubeWorld({ autoJobs: 'complete' });
  t.teardown(() => w.close());
  const server = await w.server({ SLIPWAY_LOG_LEVEL: 'silent' });
  await w.kube.waitFor(() => (w.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as any)?.spec?.holderIdentity);
  for (const name of ['a', 'b', 'c']) t.is((await server.request('POST', base, { name, configuration: { environment: { NAME: name } } })).status, 201);
  t.is((await server.request('POST', `${base}/b/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } })).status, 200);
  t.is((await server.request('POST', `${base}/b/deployments`, {})).status, 202);
  const stored = (name: string) => w.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', name) as any;
  await w.kube.waitFor(() => stored('b')?.status?.run?.phase === 'succeeded' && stored('b')?.status?.runtime?.phase === 'running', { timeoutMs: 30_000 });
  const list = async (query = '') => {
    const response = await server.request('GET', `${base}${query}`);
    t.regex(response.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/);
    return await response.json() as any[];
  };
  const show = async (name: string) => await (await server.request('GET', `${base}/${name}`)).json() as any;
  // Listed twice: the second answer is made from what the first kept.
  for (let i = 0; i < 2; i++) {
    const listed = await list();
    t.deepEqual(listed.map((app) => app.metadata.name), ['a', 'b', 'c']);
    for (const app of listed) t.deepEqual(app, appSummary(await show(app.metadata.name)));
    for (const app of await list('?history=full')) t.deepEqual(app, await show(app.metadata.name));
  }
  t.is((await server.request('PATCH', `${base}/c`, { configuration: { instances: 2, environment: { NAME: 'changed' } } })).status, 200);
  const after = (await list()).find((app) => app.metadata.name === 'c');
  t.is(after.spec.instances, 2);
  t.deepEqual(after.spec.env, { NAME: 'changed' });
  t.deepEqual(after, appSummary(await show('c')));
});
