/**
 * `GET /metrics`: Prometheus text with what a run, a webhook delivery and a git failure
 * leave behind, the default process metrics, and the optional bearer token.
 */
import test from 'ava';
import { startTestServer } from '../../helpers/test-server.ts';
import { createFakeRuntime } from '../../helpers/fake-runtime.ts';
import { goodTree, tgzOf } from '../../helpers/archives.ts';
import { githubPushDelivery } from '../../helpers/github-delivery.ts';

const base = '/api/v1/namespaces/workspace/applications';

/** The value of the sample `name{labels}` in a Prometheus text exposition (labels in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? ([-\d.e+]+|NaN)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[4]);
  }
  return undefined;
}

test('a run, a refused webhook and a refused git import show in /metrics, with process metrics', async (t) => {
  const server = await startTestServer({ SLIPWAY_GITHUB_WEBHOOK_SECRET: 'a-webhook-secret' }, { runtime: createFakeRuntime() });
  t.teardown(() => server.close());
  await server.request('POST', base, { name: 'web' });
  await server.request('POST', `${base}/web/store`, undefined, { body: await tgzOf(goodTree), headers: { 'content-type': 'application/gzip' } });
  const { id } = await (await server.request('POST', `${base}/web/deployments`, {})).json() as { id: string };
  const deadline = Date.now() + 10_000;
  while ((await (await server.request('GET', `${base}/web/deployments/${id}`)).json() as { phase: string }).phase !== 'succeeded') {
    if (Date.now() > deadline) throw new Error('the run did not succeed');
    await new Promise((r) => setTimeout(r, 20));
  }
  const forged = githubPushDelivery({ repoUrl: 'https://github.com/o/r.git', branch: 'main', after: 'a'.repeat(40), secret: 'not-the-secret' });
  const hook = await server.request('POST', '/webhooks/github', undefined, { auth: false, headers: forged.headers, body: forged.body });
  t.is(hook.status, 401);
  await server.request('POST', base, { name: 'fromgit' });
  const imported = await server.request('POST', `${base}/fromgit/import-git`, { giturl: 'http://127.0.0.1:9/x.git', gitrev: 'main' });
  t.false(imported.ok);
  const { code } = await imported.json() as { code: string };

  const answer = await server.request('GET', '/metrics', undefined, { auth: false });
  t.is(answer.status, 200);
  t.regex(answer.headers.get('content-type') ?? '', /text\/plain/);
  const text = await answer.text();
  t.is(sample(text, 'slipway_runs_total', { kind: 'deploy', result: 'succeeded', reason: 'none' }), 1);
  t.is(sample(text, 'slipway_run_phase_duration_seconds_count', { phase: 'staging' }), 1);
  t.is(sample(text, 'slipway_run_phase_duration_seconds_count', { phase: 'deploying' }), 1);
  t.is(sample(text, 'slipway_webhook_deliveries_total', { provider: 'github', outcome: 'unauthorized' }), 1);
  t.is(sample(text, 'slipway_errors_total', { component: 'git', code }), 1, `git error ${code}`);
  t.is(sample(text, 'slipway_apps', { phase: 'succeeded' }), 1);
  t.is(sample(text, 'slipway_apps', { phase: 'none' }), 1, 'the app never deployed');
  t.is(sample(text, 'slipway_leader'), 1);
  t.is(sample(text, 'slipway_runs_queued'), 0);
  t.true((sample(text, 'slipway_process_cpu_user_seconds_total') ?? 0) > 0, 'default process metrics');
});

test('with SLIPWAY_METRICS_TOKEN, /metrics wants that bearer token', async (t) => {
  const token = 'a-long-enough-metrics-token';
  const server = await startTestServer({ SLIPWAY_METRICS_TOKEN: token });
  t.teardown(() => server.close());
  const none = await server.request('GET', '/metrics', undefined, { auth: false });
  t.is(none.status, 401);
  t.like(await none.json(), { code: 'unauthorized' });
  t.is((await server.request('GET', '/metrics', undefined, { auth: false, headers: { authorization: 'Bearer not-the-token' } })).status, 401);
  const good = await server.request('GET', '/metrics', undefined, { auth: false, headers: { authorization: `Bearer ${token}` } });
  t.is(good.status, 200);
  t.regex(await good.text(), /^# HELP slipway_runs_total/m);
});
