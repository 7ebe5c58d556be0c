/**
 * Limits that hold before any verification: body cap by Content-Length and by stream,
 * read deadline, malformed payloads, and the answers when the queue or the secret
 * lookup cannot keep up. None of these reaches `hint`.
 */
import test from 'ava';
import { githubExample, githubHeaders, githubSignature, post, rawPost, startWebhookServer, type WebhookServer } from './helpers/webhook-server.ts';

const SECRET = 'limits-secret';
const MAX_BYTES = 64 * 1024;
const READ_TIMEOUT_MS = 400;
let server: WebhookServer;

test.before(async () => {
  server = await startWebhookServer({ secrets: { github: [SECRET] }, maxBytes: MAX_BYTES, readTimeoutMs: READ_TIMEOUT_MS, watched: [{ repo: 'github.com/Codertocat/Hello-World', branch: 'master' }] });
});
test.after.always(() => server.close());

const pushToMaster = () => githubExample('push', (e) => e.ref === 'refs/heads/master');
const github = () => `${server.url}/webhooks/github`;

test('a Content-Length over the cap is refused with 413 at once, before the body is sent', async (t) => {
  const answer = await rawPost(github(), { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'content-length': String(MAX_BYTES + 1) }, () => {});
  t.is(answer.status, 413);
  t.like(JSON.parse(answer.body), { code: 'too_large', data: { limit: MAX_BYTES, setting: 'SLIPWAY_WEBHOOK_MAX_BYTES' } });
  t.is(answer.headers.connection, 'close');
  t.true(answer.ms < 1000);
  t.is(server.hints.length, 0);
});

test('a chunked body that crosses the cap is cut off with 413', async (t) => {
  let sent = 0;
  const answer = await rawPost(github(), { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'transfer-encoding': 'chunked' }, (send) => {
    const piece = Buffer.alloc(16 * 1024, 0x20);
    // Keep sending until the server answers (at most 64 caps' worth, so a broken cap fails the test instead of hanging it).
    const pump = () => {
      if (sent > 64 * MAX_BYTES || !send(piece)) return;
      sent += piece.length;
      setImmediate(pump);
    };
    pump();
  });
  t.is(answer.status, 413);
  t.true(sent < 64 * MAX_BYTES, 'the server answered while the body was still coming');
  t.is(server.hints.length, 0);
});

test('a body slower than the read deadline gets 408 at about the deadline', async (t) => {
  const body = JSON.stringify(pushToMaster());
  let timer: NodeJS.Timeout | undefined;
  const answer = await rawPost(github(), { ...githubHeaders('push', SECRET, body), 'content-length': String(Buffer.byteLength(body)) }, (send) => {
    let offset = 0;
    // 10 bytes every 100 ms: the whole body would take minutes.
    timer = setInterval(() => {
      if (!send(body.slice(offset, offset + 10))) clearInterval(timer);
      offset += 10;
    }, 100);
  });
  clearInterval(timer);
  t.is(answer.status, 408);
  t.is(JSON.parse(answer.body).code, 'request_timeout');
  t.true(answer.ms >= READ_TIMEOUT_MS - 50 && answer.ms < READ_TIMEOUT_MS + 700, `answered after ${answer.ms} ms`);
  t.is(server.hints.length, 0);
});

const malformed = test.macro({
  async exec(t, body: string | Buffer, detail: RegExp) {
    const answer = await post(github(), { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': githubSignature(SECRET, body) }, body);
    t.is(answer.status, 400);
    t.like(answer.body, { status: 400, code: 'invalid_payload' });
    t.regex(String(answer.body.detail), detail);
    t.is(server.hints.length, 0);
  },
  title: (name = '') => `a signed but malformed push is a 400: ${name}`,
});
const withPush = (change: (p: Record<string, any>) => unknown) => {
  const payload = pushToMaster();
  const replaced = change(payload);
  return JSON.stringify(replaced === undefined ? payload : replaced);
};
test('invalid JSON', malformed, '{"ref": "refs/heads/master",', /not JSON/);
test('empty body', malformed, '', /empty/);
test('not UTF-8', malformed, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/);
test('null payload', malformed, 'null', /payload: /);
test('an empty array as payload', malformed, '[]', /payload: /);
test('repository null', malformed, withPush((p) => { p.repository = null; }), /^the webhook payload is not valid: repository: /);
test('repository an empty array', malformed, withPush((p) => { p.repository = []; }), /repository: /);
test('repository missing', malformed, withPush((p) => { delete p.repository; }), /repository: /);
test('repository without URLs', malformed, withPush((p) => { p.repository = { name: 'x' }; }), /repository has no URL/);
test('a URL of the wrong type', malformed, withPush((p) => { p.repository.html_url = 42; }), /repository\.html_url: /);
test('a null URL', malformed, withPush((p) => { p.repository.clone_url = null; }), /repository\.clone_url: /);
test('ref null', malformed, withPush((p) => { p.ref = null; }), /ref: /);
test('ref a number', malformed, withPush((p) => { p.ref = 7; }), /ref: /);
test('ref empty', malformed, withPush((p) => { p.ref = ''; }), /ref: /);
test('after not a SHA', malformed, withPush((p) => { p.after = 'HEAD'; }), /after: expected a commit SHA/);
test('deleted a string', malformed, withPush((p) => { p.deleted = 'false'; }), /deleted: /);
test('nested 10,000 levels deep', malformed, `{"extra":${'['.repeat(10000)}${']'.repeat(10000)},${withPush(() => {}).slice(1)}`, /nested deeper than 64 levels/);
test('nested deep inside an ignored field', malformed, `{"a":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`, /nested deeper/);

test('brackets inside strings do not count as nesting', async (t) => {
  const body = withPush((p) => { p.head_commit.message = '['.repeat(500); p.after = 'c'.repeat(40); });
  const own = await startWebhookServer({ secrets: { github: [SECRET] } });
  t.teardown(() => own.close());
  const answer = await post(`${own.url}/webhooks/github`, githubHeaders('push', SECRET, body), body);
  t.is(answer.status, 202);
});

test('a full queue answers 503 with Retry-After, and nothing is queued', async (t) => {
  const full = await startWebhookServer({ secrets: { github: [SECRET] }, full: true });
  t.teardown(() => full.close());
  const body = JSON.stringify(pushToMaster());
  const answer = await post(`${full.url}/webhooks/github`, githubHeaders('push', SECRET, body), body);
  t.is(answer.status, 503);
  t.is(answer.body.code, 'queue_full');
  t.is(answer.headers.get('retry-after'), '10');
  t.is(full.hints.length, 0);
});

test('a secret lookup that hangs still gets an answer within 1 s (503)', async (t) => {
  const stuck = await startWebhookServer({ secretsFor: () => new Promise(() => {}), secretsTimeoutMs: 300 });
  t.teardown(() => stuck.close());
  const body = JSON.stringify(pushToMaster());
  const started = performance.now();
  const answer = await post(`${stuck.url}/webhooks/github`, githubHeaders('push', SECRET, body), body);
  t.true(performance.now() - started < 1000);
  t.is(answer.status, 503);
  t.is(answer.body.code, 'webhook_unavailable');
  t.is(stuck.hints.length, 0);
});

test('a body exactly at the cap is read', async (t) => {
  const payload = pushToMaster();
  const base = JSON.stringify({ ...payload, pad: '' });
  payload.pad = 'x'.repeat(MAX_BYTES - Buffer.byteLength(base));
  const body = JSON.stringify(payload);
  t.is(Buffer.byteLength(body), MAX_BYTES);
  const own = await startWebhookServer({ secrets: { github: [SECRET] }, maxBytes: MAX_BYTES });
  t.teardown(() => own.close());
  const answer = await post(`${own.url}/webhooks/github`, githubHeaders('push', SECRET, body), body);
  t.is(answer.status, 202);
});
