/**
 * Issue 9.3: ten parallel `POST …/deployments` to one app, against the real server
 * process. Every request ends succeeded, failed or superseded; exactly one build of the
 * newest deploys; nothing stays pending, and a restart afterwards makes no extra release.
 */
import test from 'ava';
import { startRig, type Rig } from '../helpers/security-rig.ts';
import { tgzOf } from '../helpers/archives.ts';

let rig: Rig;
test.before(async () => {
  rig = await startRig();
});
test.after.always(() => rig?.close());

const base = '/api/v1/namespaces/workspace/applications';
// A build that takes a moment, so that the requests arrive while the first run stages.
const slowApp = [
  { name: 'package.json', content: JSON.stringify({ name: 'burst', version: '1.0.0', scripts: { build: 'node -e "setTimeout(() => {}, 700)"', start: 'node server.js' } }) },
  { name: 'server.js', content: "require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT);\n" },
];

async function finished(id: string): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await (await rig.request('GET', `${base}/burst/deployments/${id}`)).json() as any;
    if (run.phase === 'succeeded' || run.phase === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.phase}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('ten parallel deployments end with one build of the newest, none pending, and no extra release after a restart', async (t) => {
  await rig.request('POST', base, { name: 'burst' });
  const stored = await rig.request('POST', `${base}/burst/store`, undefined, { raw: await tgzOf(slowApp), headers: { 'content-type': 'application/gzip' } });
  t.true(stored.ok);
  const answers = await Promise.all(Array.from({ length: 10 }, () => rig.request('POST', `${base}/burst/deployments`, {})));
  t.deepEqual(answers.map((a) => a.status), Array(10).fill(202));
  const ids = await Promise.all(answers.map(async (a) => (await a.json() as { id: string }).id));
  const runs = await Promise.all(ids.map(finished));
  t.true(runs.every((r) => r.phase === 'succeeded' || r.error?.code === 'superseded'), JSON.stringify(runs.map((r) => [r.phase, r.error?.code])));
  const succeeded = runs.filter((r) => r.phase === 'succeeded');
  t.is(succeeded.length, 1);
  t.is(succeeded[0].startedAt, runs.map((r) => r.startedAt).sort().at(-1), 'the newest request deployed');
  const before = await (await rig.request('GET', `${base}/burst`)).json() as any;
  t.is(before.status.release.number, 1);

  await rig.restart();
  // Give a stale pending run (the old defect) the time to redeploy, then look.
  await new Promise((r) => setTimeout(r, 1500));
  const after = await (await rig.request('GET', `${base}/burst`)).json() as any;
  t.is(after.status.release.number, 1, 'no extra release after the restart');
  t.is((after.status.releases as unknown[]).length, 1);
  t.false((after.status.runs as any[]).some((r) => !['succeeded', 'failed'].includes(r.phase)), 'nothing pending');
});
