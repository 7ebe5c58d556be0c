/** Signature checks against candidate secrets (rotation, per-app) on exact bytes. */
import { createHmac } from 'node:crypto';
import test from 'ava';
import { isSlipwayError } from '../../../core/errors.ts';
import { verifyGithubSignature, verifyGitlabToken, verifyHmacSha256 } from '../../../webhooks/verify-signature.ts';

const hex = (secret: string, body: string | Buffer) => createHmac('sha256', secret).update(body).digest('hex');
const body = '{"ref":"refs/heads/main"}';

test('GitHub: any of the candidate secrets verifies; upper-case hex too', async (t) => {
  await t.notThrowsAsync(verifyGithubSignature(['old', 'new'], body, `sha256=${hex('new', body)}`, undefined));
  await t.notThrowsAsync(verifyGithubSignature(['old', 'new'], body, `sha256=${hex('old', body).toUpperCase()}`, undefined));
});

test('GitHub: no candidates, empty secrets and wrong secrets are all the same 401', async (t) => {
  for (const secrets of [[], [''], ['other']]) {
    const error = await t.throwsAsync(verifyGithubSignature(secrets, body, `sha256=${hex('s', body)}`, undefined));
    t.true(isSlipwayError(error, 'invalid_signature'));
    t.is(error!.message, 'the signature does not match any secret configured for this repository');
  }
});

test('Gitea/generic: HMAC over the raw bytes, with and without a prefix', (t) => {
  const raw = Buffer.from(body);
  t.notThrows(() => verifyHmacSha256(['k'], raw, hex('k', raw), 'X-Gitea-Signature'));
  t.notThrows(() => verifyHmacSha256(['x', 'k'], raw, `sha256=${hex('k', raw)}`, 'X-Slipway-Signature-256', 'sha256='));
  t.throws(() => verifyHmacSha256(['k'], raw, hex('k', raw), 'X-Slipway-Signature-256', 'sha256='), { message: /sha256=<64 hex digits>/ });
  t.throws(() => verifyHmacSha256(['k'], Buffer.from(`${body}\n`), hex('k', raw), 'X-Gitea-Signature'), { message: /does not match/ });
});

test('GitLab: the token must equal a candidate exactly, whatever its length', (t) => {
  t.notThrows(() => verifyGitlabToken(['a', 'token'], 'token'));
  for (const given of ['toke', 'token ', 'TOKEN', 'x'.repeat(10_000)]) t.throws(() => verifyGitlabToken(['token'], given), { message: /X-Gitlab-Token does not match/ });
  t.throws(() => verifyGitlabToken([''], ''), { message: /missing/ });
});
