/**
 * Named constructors for the domain's error cases. Codes are a contract: clients and
 * scripts match on them, so never rename one.
 */
import { SlipwayError } from './errors.ts';

const userError = (status: number, code: string, message: string, data: Record<string, unknown> = {}) =>
  new SlipwayError(code, message, { status, data, retry: 'stalled' });

/** 400: a request field failed validation. */
export const invalidRequest = (message: string, data: Record<string, unknown> = {}) =>
  userError(400, 'invalid_request', message, data);

/** 400: a resource name breaks the DNS-1123 label rule. */
export const invalidName = (kind: string, name: string, rule: string) =>
  userError(400, 'invalid_name', `invalid ${kind} name ${JSON.stringify(name)}: ${rule}`, { kind, name });

/** 404: the namespace does not exist. */
export const namespaceNotFound = (namespace: string) =>
  userError(404, 'namespace_not_found', `namespace "${namespace}" does not exist; list them with "slipway namespaces list" or create it`, { namespace });

/** 404: the application does not exist in the namespace. */
export const appNotFound = (namespace: string, app: string) =>
  userError(404, 'app_not_found', `application "${app}" does not exist in namespace "${namespace}"`, { namespace, app });

/** 409: a namespace of that name exists already. */
export const namespaceExists = (namespace: string) =>
  userError(409, 'namespace_exists', `namespace "${namespace}" already exists`, { namespace });

/** 409: an application of that name exists already in the namespace. */
export const appExists = (namespace: string, app: string) =>
  userError(409, 'app_exists', `application "${app}" already exists in namespace "${namespace}"; choose another name or update it`, { namespace, app });

/** 409: the object changed since it was read (optimistic concurrency). */
export const conflict = (what: string) =>
  new SlipwayError('conflict', `${what} was changed by someone else; retry`, { status: 409, retry: 'backoff' });

/** 404: no stored source with that blob id for this application. */
export const blobNotFound = (blobuid: string) =>
  userError(404, 'blob_not_found', `no stored source "${blobuid}" for this application`, { blobuid });

/** 413: a request body or archive is larger than allowed. */
export const tooLarge = (what: string, limit: number, setting: string) =>
  userError(413, 'too_large', `${what} exceeds the limit of ${limit} bytes (${setting})`, { limit, setting });

/** 415: an upload is not a tar, tar.gz or zip archive. */
export const unsupportedArchive = (detail: string) =>
  userError(415, 'unsupported_archive', `the upload is not a tar, tar.gz or zip archive: ${detail}`);

/** 422: an archive holds an entry that would escape the app's directory or is unsafe. */
export const unsafeArchive = (entry: string, reason: string) =>
  userError(422, 'unsafe_archive', `archive entry ${JSON.stringify(entry)} refused: ${reason}`, { entry, reason });

/** 401: credentials missing or wrong. The message never says which. */
export const unauthorized = () => userError(401, 'unauthorized', 'authentication required');

/** 401: a bearer token (an OIDC login); Slipway's API takes BasicAuth only. */
export const bearerUnsupported = () => userError(401, 'unauthorized',
  'bearer tokens (OIDC logins) are not supported; log in with a user name and password, e.g. "epinio login -u admin <url>" or "slipway login"');

/** 401: a WebSocket's `?authtoken=` is missing, expired, forged, or its user's password changed. */
export const authTokenInvalid = () => userError(401, 'unauthorized',
  'the authtoken is missing, expired or invalid; get a new one from GET /api/v1/authtoken (it lasts 60 seconds)');

/** 400: the git URL is not acceptable (scheme, embedded credentials, shape). */
export const invalidGitUrl = (url: string, reason: string) =>
  userError(400, 'invalid_git_url', `git URL ${url} refused: ${reason}`, { url });

/** 403: the git host resolves to an address Slipway may not reach. */
export const gitAddressRefused = (host: string, address: string) =>
  userError(403, 'git_address_refused',
    `git host ${host} resolves to ${address}, a loopback, private or link-local address; allow it with SLIPWAY_GIT_ALLOWED_HOSTS`,
    { host, address });

/** 422: the revision does not exist in the repository. */
export const unknownRevision = (url: string, revision: string) =>
  userError(422, 'unknown_revision', `revision "${revision}" not found in ${url}`, { url, revision });

/** 422: the subdirectory does not exist at that revision. */
export const unknownSubdir = (subdir: string, revision: string) =>
  userError(422, 'unknown_subdir', `subdirectory "${subdir}" does not exist at ${revision}`, { subdir, revision });

/** 401: the remote asked for credentials we do not have (or rejected ours). */
export const gitAuthRequired = (url: string) =>
  userError(401, 'git_auth_required',
    `${url} requires authentication; configure credentials for this host (SLIPWAY_GIT_CREDENTIALS_FILE; see docs/git-import.md)`, { url });

/**
 * 401: the SSH server refused every deploy key that applies to the host (or none is
 * configured). Names the keys' fingerprints, never the keys.
 */
export const gitDeployKeyRefused = (url: string, host: string, fingerprints: string[]) =>
  userError(401, 'git_auth_required', fingerprints.length > 0
    ? `${url}: the SSH server refused the deploy key${fingerprints.length > 1 ? 's' : ''} ${fingerprints.join(', ')}; add the public key (slipway git-keys list) as a deploy key of the repository`
    : `${url}: no deploy key is configured for ${host}; create one with "slipway git-keys add ${host} --generate" and add its public key as a deploy key of the repository`,
  { url, host, fingerprints });

/** 424: the SSH host presented a host key Slipway does not trust (none is trusted for that host). Never trusted on first use. */
export const gitHostKeyUnknown = (host: string, fingerprint: string) =>
  userError(424, 'git_host_key_unknown',
    `the SSH host key of ${host} (${fingerprint}) is not trusted; compare it with the one your git provider publishes, then run "slipway git-keys trust ${host}"`,
    { host, fingerprint });

/** 424: the SSH host presented a key other than the one(s) trusted for it: a changed key, or someone in between. */
export const gitHostKeyMismatch = (host: string, trusted: string[], presented: string) =>
  userError(424, 'git_host_key_mismatch',
    `the SSH host ${host} presented the host key ${presented}, but Slipway trusts ${trusted.join(', ')} for it; someone may be intercepting the connection. If the provider really changed its key, run "slipway git-keys untrust ${host}" and trust the new one`,
    { host, trusted, presented });

/** 502-class for the user, but reported as 424: the remote could not be reached. */
export const gitUnreachable = (url: string, reason: string) =>
  new SlipwayError('git_unreachable', `cannot reach ${url}: ${reason}`, { status: 424, expose: true, retry: 'waiting', data: { url } });

/**
 * 413: the remote sent more than allowed. Without `part`, the whole transfer
 * (SLIPWAY_GIT_MAX_BYTES); with it, one stage of the protocol held to its own cap
 * (`setting` names the variable, or none for a fixed cap no honest server reaches).
 */
export const gitTooLarge = (url: string, limit: number, part?: { what: string; setting?: string }) =>
  userError(413, 'git_too_large', part
    ? `${url} sent ${part.what} longer than ${limit} bytes; ${part.setting ? `raise ${part.setting} if this repository really needs it` : 'a git server does not send this much'}`
    : `${url} sent more than ${limit} bytes; raise SLIPWAY_GIT_MAX_BYTES or use a smaller repository or subdir`,
  { url, limit, ...(part ? { part: part.what } : {}), ...(part?.setting ? { setting: part.setting } : {}) });

/** 504-class reported as 408: the remote took too long. */
export const gitTimeout = (url: string, ms: number) =>
  new SlipwayError('git_timeout', `${url} did not answer within ${ms} ms (SLIPWAY_GIT_TIMEOUT_MS)`, { status: 408, expose: true, retry: 'waiting', data: { url } });

/** 503: every git transfer slot is taken and the line of waiting imports is full (or waited too long). */
export const gitBusy = (running: number, reason: string) =>
  new SlipwayError('git_busy', `${running} git imports are running already (SLIPWAY_GIT_CONCURRENCY) and ${reason}; retry shortly`,
    { status: 503, expose: true, retry: 'waiting', data: { running } });

/** 424: the remote's answer broke the git protocol (malformed packets, a ref listing that is not one). */
export const gitProtocolError = (url: string, reason: string) =>
  new SlipwayError('git_unreachable', `cannot fetch from ${url}: the server broke the git protocol (${reason})`, { status: 424, expose: true, retry: 'waiting', data: { url } });

/** 409: the operation needs a runtime and none is configured. */
export const noRuntime = () =>
  userError(409, 'no_runtime', 'no runtime is configured on this server; the source was stored but cannot be staged');

/** 422: the build failed; `data.log` holds its last lines. */
export const stageFailed = (message: string, log: string[] = []) =>
  userError(422, 'stage_failed', message, { log });

/** 422: the release did not start or answer; `data.log` holds its last output. The previous release keeps serving. */
export const deployFailed = (message: string, log: string[] = []) =>
  userError(422, 'deploy_failed', message, { log });

/** 404: no stage with that id in the namespace. */
export const stageNotFound = (namespace: string, stageId: string) =>
  userError(404, 'stage_not_found', `no stage "${stageId}" in namespace "${namespace}"`, { namespace, stageId });

/** 404: no run with that id for the app. */
export const runNotFound = (app: string, id: string) =>
  userError(404, 'run_not_found', `application "${app}" has no deployment "${id}" (only the last 20 are kept)`, { app, id });

/** 404: no release with that number (only the last 10 are kept). */
export const releaseNotFound = (app: string, release: number) =>
  userError(404, 'release_not_found', `application "${app}" has no release ${release}; list them with "slipway app releases ${app}"`, { app, release });

/** 409: there is nothing to deploy or roll back to. */
export const nothingToDeploy = (app: string, what: string) =>
  userError(409, 'nothing_to_deploy', `application "${app}" ${what}`, { app });

/** 409: another application already answers on the route. */
export const routeConflict = (route: string, owner: string, reason?: string) =>
  userError(409, 'route_conflict', reason
    ? `route "${route}" cannot be used: ${reason} (application "${owner}"); choose another host, or ask an administrator to share it (SLIPWAY_SHARED_HOSTS)`
    : `route "${route}" is already used by application "${owner}"; choose another route`, { route, owner });

/** 409: the route is on a host the Slipway API itself answers on. */
export const routeReserved = (route: string, host: string) =>
  userError(409, 'route_reserved', `route "${route}" is on "${host}", where the Slipway API answers; an app cannot claim it: choose a host under the system domain or your own domain`, { route, host });

/** 400: a deploy key or host key given to the key store cannot be used; `reason` says why, never quoting the key. */
export const gitKeyInvalid = (reason: string) =>
  userError(400, 'git_key_invalid', `key refused: ${reason}`);

/** 404: no deploy key of that name. */
export const gitKeyNotFound = (name: string) =>
  userError(404, 'git_key_not_found', `no deploy key named "${name}"; list them with "slipway git-keys list"`, { name });

/** 409: a deploy key of that name exists already. */
export const gitKeyExists = (name: string) =>
  userError(409, 'git_key_exists', `a deploy key named "${name}" exists already; remove it first ("slipway git-keys remove ${name}") or choose another --name`, { name });

/** 404: no added host key for that host (built-in keys are not removable). */
export const gitKnownHostNotFound = (host: string, builtin: boolean) =>
  userError(404, 'git_known_host_not_found', builtin
    ? `the host keys of ${host} are built in (published by the provider) and cannot be removed`
    : `no trusted host key for ${host}; list them with "slipway git-keys hosts"`, { host });

/**
 * 507: the disk that holds `folder` is full (ENOSPC). Nothing was written; the request
 * can be repeated once space is freed.
 */
export const storageFull = (folder: string) =>
  new SlipwayError('storage_full',
    `no space left on the disk holding ${folder}; free space there (old releases, blobs, logs) or grow the volume, then retry`,
    { status: 507, expose: true, retry: 'waiting', data: { folder } });

/**
 * 503: `folder` cannot be written (read-only file system, or permissions): the server
 * still reads, but no change can be stored until the folder is writable again.
 */
export const storageReadOnly = (folder: string, cause: string) =>
  new SlipwayError('storage_read_only',
    `${folder} cannot be written (${cause}); remount it read-write or give the server's user write access to it (SLIPWAY_DATA_DIR), then retry`,
    { status: 503, expose: true, retry: 'waiting', data: { folder, cause } });

/** Errno codes that mean the disk is full (quota exceeded counts as full). */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
/** Errno codes that mean a folder cannot be written. */
const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * Maps a file-system error met while writing under `folder` to `storage_full` or
 * `storage_read_only`; undefined for any other error, which the caller rethrows as it is.
 */
export const storageError = (error: unknown, folder: string) => {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return undefined;
  if (FULL_CODES.has(code)) return storageFull(folder);
  if (READ_ONLY_CODES.has(code)) return storageReadOnly(folder, code === 'EROFS' ? 'read-only file system, EROFS' : `permission denied, ${code}`);
  return undefined;
};

/**
 * 409: the application's state file did not parse and was moved aside to `movedTo`:
 * nothing can change the app until its owner restores that file or deletes the app.
 */
export const stateCorrupt = (namespace: string, app: string, movedTo: string) =>
  userError(409, 'state_corrupt',
    `application "${app}" needs attention: its state file was not valid and was moved aside to ${movedTo}; ` +
    `fix that file and rename it back without ".corrupt", or delete the app ("slipway apps delete ${app}") and push it again`,
    { namespace, app, file: movedTo });

/**
 * 409: another live server process holds the data folder's lock. `dataDir` is the folder
 * as configured (`./.slipway`), the way the user wrote it. Two servers on one folder
 * would kill each other's apps as leftovers and run every app twice (issue 13).
 */
export const dataDirLocked = (pid: number, dataDir: string) =>
  userError(409, 'data_dir_locked', `another Slipway (pid ${pid}) is using ${dataDir}`, { pid, dataDir });

/**
 * 409: an app without routes needs `<app>.<system domain>`, and no system domain is
 * known (Kubernetes, no `SLIPWAY_SYSTEM_DOMAIN`, and the ingress controller's Service has
 * no load-balancer IP yet). `problem` says why and what to do.
 */
export const systemDomainUnknown = (app: string, problem: string) =>
  userError(409, 'system_domain_unknown', `application "${app}" has no routes, and there is no system domain to give it "${app}.<domain>": ${problem}`, { app });
