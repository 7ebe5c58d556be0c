/**
 * Signature and token checks on the raw body, all in constant time per candidate
 * secret. Several candidates are tried in turn so secrets can be rotated (old and new
 * both accepted for a while) and per-app secrets live beside the global ones.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Webhooks } from '@octokit/webhooks';
import { SlipwayError } from '../core/errors.ts';

/** 401 `invalid_signature`. One answer for a wrong signature and for "no secret for this repository", so a caller cannot learn which repositories are watched. */
export const invalidSignature = (detail = 'the signature does not match any secret configured for this repository') =>
  new SlipwayError('invalid_signature', detail, { status: 401, retry: 'stalled' });

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>` checked with `@octokit/webhooks`' verify.
 * `text` must be the strict UTF-8 decoding of the raw body (octokit signs strings).
 * Throws 401 for a missing, SHA-1-only, malformed or non-matching signature.
 */
export async function verifyGithubSignature(secrets: readonly string[], text: string, sha256Header: string | undefined, sha1Header: string | undefined): Promise<void> {
  if (!sha256Header) {
    if (sha1Header) throw invalidSignature('only X-Hub-Signature (SHA-1) was sent; Slipway accepts X-Hub-Signature-256 only: give the webhook a secret so GitHub sends it');
    throw invalidSignature('the X-Hub-Signature-256 header is missing: give the webhook a secret');
  }
  const match = /^sha256=(.*)$/.exec(sha256Header.trim());
  if (!match || !HEX_SHA256.test(match[1]!)) throw invalidSignature('X-Hub-Signature-256 is not of the form sha256=<64 hex digits>');
  const signature = `sha256=${match[1]!.toLowerCase()}`;
  for (const secret of secrets) {
    if (secret && (await new Webhooks({ secret }).verify(text, signature))) return;
  }
  throw invalidSignature();
}

/**
 * Gitea/Forgejo (`X-Gitea-Signature: <hex>`) and the generic endpoint
 * (`sha256=<hex>`, `prefix` 'sha256='): hex HMAC-SHA256 of the raw bytes.
 */
export function verifyHmacSha256(secrets: readonly string[], body: Buffer, header: string | undefined, headerName: string, prefix = ''): void {
  if (!header) throw invalidSignature(`the ${headerName} header is missing: give the webhook a secret`);
  const value = header.trim();
  const hex = value.startsWith(prefix) ? value.slice(prefix.length) : '';
  if (!HEX_SHA256.test(hex)) throw invalidSignature(`${headerName} is not of the form ${prefix}<64 hex digits>`);
  const given = Buffer.from(hex, 'hex');
  for (const secret of secrets) {
    if (secret && timingSafeEqual(createHmac('sha256', secret).update(body).digest(), given)) return;
  }
  throw invalidSignature();
}

/**
 * GitLab: `X-Gitlab-Token` is the secret itself. Both sides are hashed first so the
 * comparison is constant-time whatever the lengths.
 */
export function verifyGitlabToken(secrets: readonly string[], header: string | undefined): void {
  if (!header) throw invalidSignature('the X-Gitlab-Token header is missing: set the webhook\'s secret token');
  const given = createHash('sha256').update(header).digest();
  for (const secret of secrets) {
    if (secret && timingSafeEqual(createHash('sha256').update(secret).digest(), given)) return;
  }
  throw invalidSignature('the X-Gitlab-Token does not match any secret configured for this repository');
}
