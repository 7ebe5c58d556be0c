/**
 * Issue 9.4: the server's idle limit must not cut answers that wait by design. With a
 * 1 s idle limit: a stalled import still gets its 408 at the git deadline, a follow of a
 * silent app stays open (heartbeats), and `staging/:id/complete` answers when the stage
 * ends, after several idle periods.
 */
import test from 'ava';
import { createServer, type Server, type Socket } from 'node:net';
import { startRig, type Rig } from '../helpers/security-rig.ts';

let rig: Rig;
let silentGit: Server;
const held: Socket[] = [];
test.before(async () => {
  rig = await startRig({ SLIPWAY_IDLE_TIMEOUT_MS: '1000', SLIPWAY_GIT_TIMEOUT_MS: '3000', SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1' });
  // A git host that accepts connections and never says a word.
  silentGit = createServer((socket) => { held.push(socket); socket.on('error', () => {}); });
  await new Promise<void>((resolve) => silentGit.listen(0, '127.0.0.1', resolve));
});
test.after.always(async () => {
  for (const socket of held) socket.destroy();
  silentGit?.close();
  await rig?.close();
});

const base = '/api/v1/namespaces/workspace/applications';

test('a stalled import answers 408 git_timeout at the git deadline, past the idle limit', async (t) => {
  await rig.request('POST', base, { name: 'stalled' });
  const { port } = silentGit.address() as { port: number };
  const started = Date.now();
  const answer = await rig.request('POST', `${base}/stalled/import-git`, { giturl: `http://127.0.0.1:${port}/repo.git`, gitrev: 'main' });
  t.is(answer.status, 408, await answer.clone().text());
  t.like(await answer.json(), { code: 'git_timeout' });
  t.true(Date.now() - started >= 2500, 'answered at the git deadline, not before');
});

test('following a silent app\'s logs stays open past several idle limits', async (t) => {
  const run = await rig.deploy('workspace', 'quiet', [
    { name: 'package.json', content: JSON.stringify({ name: 'quiet', version: '1.0.0', scripts: { start: 'node server.js' } }) },
    { name: 'server.js', content: "console.log('one line, then silence');\nrequire('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT);\n" },
  ]);
  t.is(run.phase, 'succeeded', JSON.stringify(run));
  const controller = new AbortController();
  const response = await fetch(`${rig.server.url}${base}/quiet/logs?follow=true`, {
    headers: { authorization: `Basic ${Buffer.from('admin:security-admin-password').toString('base64')}` }, signal: controller.signal,
  });
  t.is(response.status, 200);
  const reader = response.body!.getReader();
  let text = '';
  const until = Date.now() + 3500;
  while (Date.now() < until) {
    const { value, done } = await reader.read();
    t.false(done, 'the server ended the follow');
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  t.regex(text, /one line, then silence/);
  t.regex(text, /\n\n/, 'heartbeat lines kept the connection alive');
});

test('staging/:id/complete answers when a stage longer than the idle limit ends', async (t) => {
  await rig.request('POST', base, { name: 'slowbuild' });
  const files = [
    { name: 'package.json', content: JSON.stringify({ name: 'slowbuild', version: '1.0.0', scripts: { build: 'node -e "setTimeout(() => {}, 3000)"', start: 'node server.js' } }) },
    { name: 'server.js', content: "require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT);\n" },
  ];
  const { tgzOf } = await import('../helpers/archives.ts');
  const stored = await rig.request('POST', `${base}/slowbuild/store`, undefined, { raw: await tgzOf(files), headers: { 'content-type': 'application/gzip' } });
  t.true(stored.ok);
  const { id } = await (await rig.request('POST', `${base}/slowbuild/deployments`, {})).json() as { id: string };
  let stageId: string | undefined;
  const deadline = Date.now() + 10_000;
  while (!stageId && Date.now() < deadline) {
    stageId = (await (await rig.request('GET', `${base}/slowbuild/deployments/${id}`)).json() as { stageId?: string }).stageId;
    if (!stageId) await new Promise((r) => setTimeout(r, 50));
  }
  t.truthy(stageId);
  const answer = await rig.request('GET', `/api/v1/namespaces/workspace/staging/${stageId}/complete?timeout=30`);
  t.is(answer.status, 200);
  t.like(await answer.json(), { phase: 'succeeded' });
});
