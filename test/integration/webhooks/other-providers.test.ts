/**
 * GitLab, Gitea/Forgejo and generic deliveries over real HTTP, with payloads written
 * after each provider's documented format (test/fixtures/webhooks/).
 */
import test from 'ava';
import { fixture, hmacHex, post, startWebhookServer, type WebhookServer } from './helpers/webhook-server.ts';

const GITLAB_TOKEN = 'gitlab-token';
const GITEA_SECRET = 'gitea-secret';
const GENERIC_SECRETS = ['generic-new', 'generic-old'];
let server: WebhookServer;

test.before(async () => {
  server = await startWebhookServer({
    secrets: { gitlab: [GITLAB_TOKEN], gitea: [GITEA_SECRET], generic: GENERIC_SECRETS },
    watched: [
      { repo: 'example.com/mike/diaspora', branch: 'master' },
      { repo: 'localhost:3000/gitea/webhooks', branch: 'develop' },
      { repo: 'git.example.org/team/site', branch: 'release/2026' },
    ],
  });
});
test.after.always(() => server.close());

let counter = 0;
const uniqueSha = () => (++counter).toString(16).padStart(40, 'b');
const hintsFor = (after: string) => server.hints.filter((h) => h.after === after);

const gitlab = (payload: unknown, token = GITLAB_TOKEN, event = 'Push Hook') =>
  post(`${server.url}/webhooks/gitlab`, { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-token': token, 'x-gitlab-event-uuid': 'f8a2b9c0-1d3e-4f5a-9b6c-7d8e9f0a1b2c' }, JSON.stringify(payload));
const gitea = (payload: unknown, sign: (body: string) => Record<string, string> = (body) => ({ 'x-gitea-signature': hmacHex(GITEA_SECRET, body) }), event = 'push') => {
  const body = JSON.stringify(payload);
  return post(`${server.url}/webhooks/gitea`, { 'content-type': 'application/json', 'x-gitea-event': event, 'x-gitea-delivery': 'a4b1d2c3-0000-4000-8000-000000000001', ...sign(body) }, body);
};
const generic = (payload: unknown, secret = GENERIC_SECRETS[0]!) => {
  const body = JSON.stringify(payload);
  return post(`${server.url}/webhooks/generic`, { 'content-type': 'application/json', 'x-slipway-signature-256': `sha256=${hmacHex(secret, body)}` }, body);
};

test('GitLab push hook queues the project with all its URLs', async (t) => {
  const payload = fixture('gitlab-push.json');
  payload.after = uniqueSha();
  const answer = await gitlab(payload);
  t.is(answer.status, 202);
  t.deepEqual(answer.body, { queued: 1 });
  const [hint] = hintsFor(payload.after);
  t.like(hint, { provider: 'gitlab', branch: 'master', deliveryId: 'f8a2b9c0-1d3e-4f5a-9b6c-7d8e9f0a1b2c' });
  t.deepEqual(hint!.repositoryUrls, ['http://example.com/mike/diaspora', 'http://example.com/mike/diaspora.git', 'git@example.com:mike/diaspora.git']);
});

test('GitLab: a wrong, longer, shorter or missing token is a 401 and queues nothing', async (t) => {
  for (const token of ['wrong', `${GITLAB_TOKEN}x`, GITLAB_TOKEN.slice(0, -1), '']) {
    const payload = fixture('gitlab-push.json');
    payload.after = uniqueSha();
    const answer = await gitlab(payload, token);
    t.is(answer.status, 401, token);
    t.is(answer.body.code, 'invalid_signature');
    t.is(hintsFor(payload.after).length, 0);
  }
});

test('GitLab: tag pushes, branch deletions and other events are ignored with a reason', async (t) => {
  t.regex(String((await gitlab(fixture('gitlab-tag-push.json'), GITLAB_TOKEN, 'Tag Push Hook')).body.ignored), /^tag push refs\/tags\/v1\.0\.0/);
  const deletion = { ...fixture('gitlab-push.json'), after: '0'.repeat(40), checkout_sha: null, commits: [], total_commits_count: 0 };
  t.deepEqual((await gitlab(deletion)).body, { ignored: 'branch master was deleted' });
  const issue = await gitlab(fixture('gitlab-issue.json'), GITLAB_TOKEN, 'Issue Hook');
  t.is(issue.status, 202);
  t.deepEqual(issue.body, { ignored: 'event Issue Hook: Slipway acts on pushes and merge requests only' });
});

test('GitLab: a push with a null project is a 400', async (t) => {
  const answer = await gitlab({ ...fixture('gitlab-push.json'), project: null });
  t.is(answer.status, 400);
  t.is(answer.body.code, 'invalid_payload');
});

test('Gitea push queues the repository; Forgejo\'s header name works too', async (t) => {
  const payload = fixture('gitea-push.json');
  payload.after = uniqueSha();
  t.deepEqual((await gitea(payload)).body, { queued: 1 });
  t.like(hintsFor(payload.after)[0], {
    provider: 'gitea', branch: 'develop', deliveryId: 'a4b1d2c3-0000-4000-8000-000000000001',
    repositoryUrls: ['http://localhost:3000/gitea/webhooks', 'http://localhost:3000/gitea/webhooks.git', 'ssh://gitea@localhost:2222/gitea/webhooks.git'],
  });
  const forgejo = fixture('gitea-push.json');
  forgejo.after = uniqueSha();
  const answer = await gitea(forgejo, (body) => ({ 'x-forgejo-signature': hmacHex(GITEA_SECRET, body) }));
  t.deepEqual(answer.body, { queued: 1 });
});

const giteaRefused = test.macro({
  async exec(t, sign: (body: string) => Record<string, string>) {
    const payload = fixture('gitea-push.json');
    payload.after = uniqueSha();
    const answer = await gitea(payload, sign);
    t.is(answer.status, 401);
    t.is(answer.body.code, 'invalid_signature');
    t.is(hintsFor(payload.after).length, 0);
  },
  title: (name = '') => `Gitea: 401 for ${name}`,
});
test('a wrong secret', giteaRefused, (body) => ({ 'x-gitea-signature': hmacHex('wrong', body) }));
test('a missing signature', giteaRefused, () => ({}));
test('a short signature', giteaRefused, (body) => ({ 'x-gitea-signature': hmacHex(GITEA_SECRET, body).slice(2) }));
test('a non-hex signature', giteaRefused, () => ({ 'x-gitea-signature': 'g'.repeat(64) }));
test('a prefixed signature', giteaRefused, (body) => ({ 'x-gitea-signature': `sha256=${hmacHex(GITEA_SECRET, body)}` }));

test('Gitea: a delete event is ignored', async (t) => {
  const payload = { ref: 'develop', ref_type: 'branch', repository: fixture('gitea-push.json').repository };
  t.deepEqual((await gitea(payload, undefined, 'delete')).body, { ignored: 'event delete: Slipway acts on pushes and pull requests only' });
});

test('generic: a signed push queues; either rotated secret verifies', async (t) => {
  for (const secret of GENERIC_SECRETS) {
    const after = uniqueSha();
    const answer = await generic({ repository: 'https://git.example.org/team/site.git', ref: 'refs/heads/release/2026', after }, secret);
    t.deepEqual(answer.body, { queued: 1 });
    t.like(hintsFor(after)[0], { provider: 'generic', branch: 'release/2026', repositoryUrls: ['https://git.example.org/team/site.git'] });
  }
});

test('generic: no app watching gives queued 0 without credentials in the answer', async (t) => {
  const answer = await generic({ repository: 'https://user:hunter2@git.example.org/team/other.git', ref: 'refs/heads/main' });
  t.deepEqual(answer.body, { queued: 0, ignored: 'no app watches git.example.org/team/other main' });
});

test('generic: wrong signature, tag refs and bad shapes', async (t) => {
  const after = uniqueSha();
  t.is((await generic({ repository: 'https://git.example.org/team/site', ref: 'refs/heads/release/2026', after }, 'wrong')).status, 401);
  t.is(hintsFor(after).length, 0);
  t.deepEqual((await generic({ repository: 'https://git.example.org/team/site', ref: 'refs/tags/v1' })).body, { ignored: 'tag push refs/tags/v1: Slipway follows branches' });
  for (const bad of [{ repository: null, ref: 'refs/heads/main' }, { repository: ['x'], ref: 'refs/heads/main' }, { repository: 'x', ref: {} }, { repository: '  ', ref: 'refs/heads/main' }, { repository: 'x', ref: 'refs/heads/main', after: 'abc' }]) {
    const answer = await generic(bad);
    t.is(answer.status, 400, JSON.stringify(bad));
    t.is(answer.body.code, 'invalid_payload');
  }
});
