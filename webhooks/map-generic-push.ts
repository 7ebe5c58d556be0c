/**
 * The generic endpoint's body to an outcome (pure): `{repository, ref, after?}` for any
 * sender that can sign a JSON body with HMAC-SHA256 (CI jobs, other forges).
 */
import { z } from 'zod';
import { parseShape, refOutcome, type WebhookOutcome } from './webhook-outcome.ts';

const shape = z.object({
  repository: z.string().trim().min(1),
  ref: z.string().min(1),
  after: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a full commit SHA').optional(),
});

/** Maps a generic delivery. Throws `invalid_payload` when the body does not have that shape. */
export function mapGenericPush(payload: unknown): WebhookOutcome {
  const body = parseShape(shape, payload);
  return refOutcome([body.repository], body.ref, body.after);
}
