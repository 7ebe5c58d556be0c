/**
 * GitHub deliveries over real HTTP with real payloads from @octokit/webhooks-examples,
 * signed with real HMACs: what is queued, what is ignored, and every refusal.
 */
import test from 'ava';
import { recordingLogger, deliveryId, githubExample, githubHeaders, githubSha1Signature, githubSignature, post, startWebhookServer, type WebhookServer } from './helpers/webhook-server.ts';

const SECRET = 'global-secret';
const OLD_SECRET = 'rotated-out-secret';
const APP_SECRET = 'per-app-secret';
let server: WebhookServer;

test.before(async () => {
  server = await startWebhookServer({
    secrets: { github: [SECRET, OLD_SECRET] },
    repoSecrets: { 'github.com/Octo/Per-App': [APP_SECRET] },
    watched: [
      { repo: 'github.com/Codertocat/Hello-World', branch: 'master' },
      { repo: 'github.com/Codertocat/Hello-World', branch: 'feature/deep/slashes' },
      { repo: 'github.com/Octo/Per-App', branch: 'master' },
    ],
  });
});
test.after.always(() => server.close());

const pushToMaster = () => githubExample('push', (e) => e.ref === 'refs/heads/master');
const hintsFor = (after: string) => server.hints.filter((h) => h.after === after);
/** Sends `payload` as a GitHub delivery of `event`; a unique `after` lets tests find their own hints. */
const deliver = (event: string, payload: unknown, secret = SECRET, extra: Record<string, string> = {}) => {
  const body = JSON.stringify(payload);
  return post(`${server.url}/webhooks/github`, { ...githubHeaders(event, secret, body), ...extra }, body);
};
let counter = 0;
const uniqueSha = () => (++counter).toString(16).padStart(40, 'a');

test('a push to a watched branch queues a hint with every repository URL and answers 202 fast', async (t) => {
  const payload = pushToMaster();
  payload.after = uniqueSha();
  const started = performance.now();
  const answer = await deliver('push', payload);
  t.true(performance.now() - started < 1000);
  t.is(answer.status, 202);
  t.deepEqual(answer.body, { queued: 1 });
  const [hint] = hintsFor(payload.after);
  t.like(hint, { provider: 'github', branch: 'master', after: payload.after, deliveryId: deliveryId(JSON.stringify(payload)) });
  t.deepEqual(hint!.repositoryUrls, [
    'https://github.com/Codertocat/Hello-World', 'https://github.com/Codertocat/Hello-World.git',
    'git@github.com:Codertocat/Hello-World.git', 'git://github.com/Codertocat/Hello-World.git',
  ]);
});

test('a branch with slashes keeps them', async (t) => {
  const payload = pushToMaster();
  payload.ref = 'refs/heads/feature/deep/slashes';
  payload.after = uniqueSha();
  const answer = await deliver('push', payload);
  t.deepEqual(answer.body, { queued: 1 });
  t.is(hintsFor(payload.after)[0]?.branch, 'feature/deep/slashes');
});

test('a push to a repository nobody watches is queued for nobody and says so', async (t) => {
  const payload = pushToMaster();
  payload.ref = 'refs/heads/unwatched';
  payload.after = uniqueSha();
  const answer = await deliver('push', payload);
  t.is(answer.status, 202);
  t.deepEqual(answer.body, { queued: 0, ignored: 'no app watches github.com/Codertocat/Hello-World unwatched' });
});

test('either of two rotated secrets verifies', async (t) => {
  for (const secret of [SECRET, OLD_SECRET]) {
    const payload = pushToMaster();
    payload.after = uniqueSha();
    t.is((await deliver('push', payload, secret)).status, 202);
    t.is(hintsFor(payload.after).length, 1);
  }
});

test('a per-app secret verifies deliveries for its repository only', async (t) => {
  const payload = pushToMaster();
  for (const key of ['html_url', 'clone_url', 'ssh_url', 'git_url', 'url']) payload.repository[key] = payload.repository[key].replace('Codertocat/Hello-World', 'Octo/Per-App');
  payload.after = uniqueSha();
  t.deepEqual((await deliver('push', payload, APP_SECRET)).body, { queued: 1 });
  const other = pushToMaster();
  other.after = uniqueSha();
  t.is((await deliver('push', other, APP_SECRET)).status, 401);
  t.is(hintsFor(other.after).length, 0);
});

test('ping answers 200 with its zen, with or without a repository', async (t) => {
  const withRepo = githubExample('ping', (e) => e.repository !== undefined);
  const answer = await deliver('ping', withRepo);
  t.is(answer.status, 200);
  t.deepEqual(answer.body, { ok: true, zen: withRepo.zen });
  const orgHook = githubExample('ping', (e) => e.repository === undefined);
  t.is((await deliver('ping', orgHook)).status, 200);
});

const ignored = test.macro({
  async exec(t, event: string, payload: () => Record<string, any>, reason: RegExp) {
    const body = payload();
    const answer = await deliver(event, body);
    t.is(answer.status, 202);
    t.regex(String(answer.body.ignored), reason);
    t.is(answer.body.queued, undefined);
    t.false(server.hints.some((h) => h.deliveryId === deliveryId(JSON.stringify(body))));
  },
  title: (name = '') => `ignored with 202 and a reason: ${name}`,
});
test('tag push', ignored, 'push', () => githubExample('push', (e) => e.ref.startsWith('refs/tags/') && !e.deleted), /^tag push refs\/tags\/simple-tag/);
test('branch deletion (deleted: true)', ignored, 'push', () => ({ ...pushToMaster(), deleted: true, after: '0'.repeat(40) }), /^branch master was deleted$/);
test('branch deletion (after all zeros)', ignored, 'push', () => ({ ...pushToMaster(), after: '0'.repeat(40) }), /^branch master was deleted$/);
test('issues event', ignored, 'issues', () => githubExample('issues', (e) => e.action === 'opened'), /^event issues: /);
test('delete event', ignored, 'delete', () => githubExample('delete'), /^event delete: /);
test('a push to a non-branch ref', ignored, 'push', () => ({ ...pushToMaster(), ref: 'refs/pull/1/head' }), /not a branch/);

test('an ignored event still needs a valid signature', async (t) => {
  const body = JSON.stringify(githubExample('issues'));
  const answer = await post(`${server.url}/webhooks/github`, { ...githubHeaders('issues', 'wrong', body) }, body);
  t.is(answer.status, 401);
});

const refused = test.macro({
  async exec(t, headers: (body: string) => Record<string, string>, detail: RegExp) {
    const payload = pushToMaster();
    payload.after = uniqueSha();
    const body = JSON.stringify(payload);
    const answer = await post(`${server.url}/webhooks/github`, { 'content-type': 'application/json', 'x-github-event': 'push', ...headers(body) }, body);
    t.is(answer.status, 401);
    t.like(answer.body, { status: 401, code: 'invalid_signature' });
    t.regex(String(answer.body.detail), detail);
    t.is(hintsFor(payload.after).length, 0);
  },
  title: (name = '') => `refused with 401: ${name}`,
});
const sig = (value: string) => () => ({ 'x-hub-signature-256': value });
test('missing signature', refused, () => ({}), /X-Hub-Signature-256 header is missing/);
test('SHA-1-only signature', refused, (body) => ({ 'x-hub-signature': githubSha1Signature(SECRET, body) }), /only X-Hub-Signature \(SHA-1\)/);
test('wrong secret', refused, (body) => ({ 'x-hub-signature-256': githubSignature('not-the-secret', body) }), /does not match/);
test('signature of other bytes', refused, (body) => ({ 'x-hub-signature-256': githubSignature(SECRET, `${body} `) }), /does not match/);
test('too short', refused, sig(`sha256=${'ab'.repeat(31)}`), /sha256=<64 hex digits>/);
test('too long', refused, sig(`sha256=${'ab'.repeat(33)}`), /sha256=<64 hex digits>/);
test('not hex', refused, sig(`sha256=${'zz'.repeat(32)}`), /sha256=<64 hex digits>/);
test('no algorithm prefix', refused, (body) => ({ 'x-hub-signature-256': githubSignature(SECRET, body).slice('sha256='.length) }), /sha256=<64 hex digits>/);
test('sha1 prefix in the sha256 header', refused, sig(`sha1=${'ab'.repeat(20)}`), /sha256=<64 hex digits>/);

test('a repository with no secret at all gets the same 401 as a wrong signature', async (t) => {
  const lonely = await startWebhookServer({});
  t.teardown(() => lonely.close());
  const body = JSON.stringify(pushToMaster());
  const answer = await post(`${lonely.url}/webhooks/github`, githubHeaders('push', SECRET, body), body);
  t.is(answer.status, 401);
  t.is(answer.body.detail, 'the signature does not match any secret configured for this repository');
  t.is(lonely.hints.length, 0);
});

test('a form-encoded delivery is refused with advice to switch to JSON', async (t) => {
  const body = `payload=${encodeURIComponent(JSON.stringify(pushToMaster()))}`;
  const answer = await post(`${server.url}/webhooks/github`, { ...githubHeaders('push', SECRET, body), 'content-type': 'application/x-www-form-urlencoded' }, body);
  t.is(answer.status, 415);
  t.regex(String(answer.body.detail), /application\/json/);
});

test('a missing X-GitHub-Event header is a 400', async (t) => {
  const body = JSON.stringify(pushToMaster());
  const { 'x-github-event': _, ...headers } = githubHeaders('push', SECRET, body);
  t.is((await post(`${server.url}/webhooks/github`, headers, body)).status, 400);
});

test('the delivery id reaches the log line, not the answer', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const logged = await startWebhookServer({ secrets: { github: [SECRET] }, logger: recordingLogger(lines), watched: [{ repo: 'github.com/Codertocat/Hello-World', branch: 'master' }] });
  t.teardown(() => logged.close());
  const body = JSON.stringify(pushToMaster());
  const answer = await post(`${logged.url}/webhooks/github`, githubHeaders('push', SECRET, body), body);
  t.deepEqual(answer.body, { queued: 1 });
  t.false(JSON.stringify(answer.body).includes(deliveryId(body)));
  t.like(lines.find((line) => line.msg === 'webhook queued'), {
    provider: 'github', event: 'push', delivery: deliveryId(body), repository: 'github.com/Codertocat/Hello-World', branch: 'master', queued: 1,
  });
});
