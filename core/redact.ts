/**
 * Credential redaction. Every URL or message that may hold a user's credentials goes
 * through here before it reaches an error, a log line or a response (Argo CD's
 * CVE-2023-25163 is what happens otherwise).
 */

// Up to the last `@` before the path: a password may itself contain `@`.
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi;
const SECRET_PARAMS = /([?&](?:access_token|token|private_token|password|secret|sig|signature|x-amz-signature|x-amz-credential)=)[^&#\s]*/gi;
const AUTH_HEADER = /(authorization:\s*(?:basic|bearer|token)\s+)\S+/gi;

/** Replaces user-info in URLs, secret query parameters and Authorization values with `***`. */
export function redact(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(SECRET_PARAMS, '$1***').replace(AUTH_HEADER, '$1***');
}

/** A URL with user-info and secret query parameters removed, for display. */
export function redactUrl(url: string): string {
  return redact(url);
}
