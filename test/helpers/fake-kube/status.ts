/** Kubernetes `Status` objects and the error that carries one to the HTTP layer. */

/** The body of a failed API call, as kube-apiserver sends it. */
export type StatusBody = {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason: string; message: string; field?: string }[] };
  code: number;
};

/** An API failure; the server answers `status.code` with `status` as the body. */
export class KubeError extends Error {
  readonly status: StatusBody;
  constructor(status: StatusBody) {
    super(status.message);
    this.status = status;
  }
}

type Who = { group: string; kind: string; plural: string; name?: string };

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): KubeError {
  return new KubeError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function qualified(who: Who): string {
  return who.group ? `${who.plural}.${who.group}` : who.plural;
}

/** 404 NotFound, worded as kube-apiserver words it: `deployments.apps "web" not found`. */
export function notFound(who: Who): KubeError {
  return failure(404, 'NotFound', `${qualified(who)} "${who.name ?? ''}" not found`, { name: who.name, group: who.group, kind: who.plural });
}

/** 409 AlreadyExists. */
export function alreadyExists(who: Who): KubeError {
  return failure(409, 'AlreadyExists', `${qualified(who)} "${who.name ?? ''}" already exists`, { name: who.name, group: who.group, kind: who.plural });
}

/** 409 Conflict for a stale resourceVersion (or an injected conflict). */
export function conflict(who: Who, why = 'the object has been modified; please apply your changes to the latest version and try again'): KubeError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(who)} "${who.name ?? ''}": ${why}`, { name: who.name, group: who.group, kind: who.plural });
}

/** 409 Conflict from server-side apply, listing the fields another manager owns. */
export function applyConflict(who: Who, conflicts: { manager: string; field: string }[]): KubeError {
  const lines = conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`);
  const message = `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`;
  return failure(409, 'Conflict', message, {
    name: who.name, group: who.group, kind: who.plural,
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.field })),
  });
}

/**
 * 422 Invalid naming each offending field, worded as apimachinery's NewInvalid:
 * `Deployment.apps "web" is invalid: <one error>` or `… is invalid: [<error>, <error>]`.
 */
export function invalid(who: Who, causes: { field: string; message: string; reason?: string }[]): KubeError {
  const lines = [...new Set(causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)))];
  const text = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  const kind = who.group ? `${who.kind}.${who.group}` : who.kind;
  return failure(422, 'Invalid', `${kind} "${who.name ?? ''}" is invalid: ${text}`, {
    name: who.name, group: who.group, kind: who.kind,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

/** 400 BadRequest. */
export function badRequest(message: string): KubeError {
  return failure(400, 'BadRequest', message);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(message: string): KubeError {
  return failure(405, 'MethodNotAllowed', message);
}

/** 410 Expired, for watches resumed from a compacted resourceVersion. */
export function expired(rv: string): KubeError {
  return failure(410, 'Expired', `too old resource version: ${rv}`);
}

/** Any status code with a generic reason (fault injection). */
export function statusFor(code: number, message: string): KubeError {
  const reasons: Record<number, string> = { 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout', 403: 'Forbidden', 401: 'Unauthorized' };
  return failure(code, reasons[code] ?? 'InternalError', message);
}
