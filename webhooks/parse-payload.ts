/**
 * Raw webhook bytes to a JSON value, refusing anything that is not strict UTF-8 JSON
 * or nests deeper than a webhook ever does. The parse is only a lookup (which
 * repository, so which secrets); nothing in it is trusted until the signature checks.
 */
import { SlipwayError } from '../core/errors.ts';

/** Deepest nesting accepted; real GitHub, GitLab and Gitea pushes stay under 10. */
export const MAX_JSON_DEPTH = 64;

/** 400 `invalid_payload`: the delivery's body is not a payload Slipway can read. */
export const invalidPayload = (reason: string) =>
  new SlipwayError('invalid_payload', `the webhook payload is not valid: ${reason}`, { status: 400, retry: 'stalled' });

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes `body` as strict UTF-8 (so the text's UTF-8 bytes are exactly the signed
 * bytes) and parses it as JSON after checking its nesting depth.
 * @returns the text (for signature checks on strings) and the parsed value.
 */
export function parsePayload(body: Buffer, maxDepth = MAX_JSON_DEPTH): { text: string; value: unknown } {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw invalidPayload('the body is not UTF-8 text');
  }
  if (!text.trim()) throw invalidPayload('the body is empty');
  if (jsonDepth(text, maxDepth) > maxDepth) throw invalidPayload(`JSON nested deeper than ${maxDepth} levels`);
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch {
    throw invalidPayload('the body is not JSON; set the webhook content type to application/json');
  }
}

/**
 * The deepest bracket nesting of JSON text, ignoring brackets inside strings; stops
 * counting as soon as `stopAbove` is passed, so hostile input costs one linear scan.
 */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAbove) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
