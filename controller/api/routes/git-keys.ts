/**
 * Deploy keys and trusted host keys for git over SSH (issue 17): admin-only (a user with
 * `*`), since a key opens repositories for every namespace. Answers carry public keys and
 * fingerprints only; a private key goes in with a POST and never comes back out.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import type { GitKeyStore } from '../../../core/ports/git-keys.ts';
import { gitKeyNotFound, gitKnownHostNotFound } from '../../../core/error-cases.ts';
import { readBody } from '../parse-body.ts';
import { gitKeyCreateSchema, knownHostCreateSchema } from '../schemas.ts';
import { currentUser, forbidden, mayManageNamespaces } from '../namespace-access.ts';
import { knownHostName, parseKnownHostName } from '../../adapters/git-keys/host-patterns.ts';
import { hasBuiltinHostKeys } from '../../adapters/git-keys/create-git-key-store.ts';
import type { ScannedHostKey } from '../../adapters/git-keys/scan-host-key.ts';

/** What the routes need: the store, and a way to read a host's key for confirmation. */
export interface GitKeyRoutesDeps {
  keys: GitKeyStore;
  scanHostKey: (host: string, port: number) => Promise<ScannedHostKey>;
}

/** Middleware: only administrators (`*`) manage deploy keys and trusted hosts. */
export const requireGitKeyAdmin: Middleware = async (ctx, next) => {
  const user = currentUser(ctx.state);
  if (!mayManageNamespaces(user)) throw forbidden(user.username, 'manage deploy keys and trusted SSH hosts (an administrator with "*" may)');
  await next();
};

/** GET /api/v1/git-keys — every deploy key, with public key and fingerprint. */
export function gitKeysListRoute(deps: GitKeyRoutesDeps): Middleware {
  return async (ctx) => {
    ctx.body = await deps.keys.list();
  };
}

/** POST /api/v1/git-keys {host, name?, privateKey?} — 201 with the key (generated ed25519 when no privateKey). */
export function gitKeyCreateRoute(deps: GitKeyRoutesDeps): Middleware {
  return async (ctx) => {
    const body = readBody(ctx, gitKeyCreateSchema);
    const key = await deps.keys.add(body);
    ctx.status = 201;
    ctx.body = key;
  };
}

/** DELETE /api/v1/git-keys/:name — 404 `git_key_not_found` when none has that name. */
export function gitKeyDeleteRoute(deps: GitKeyRoutesDeps): Middleware {
  return async (ctx) => {
    const name = ctx.params.name!;
    if (!(await deps.keys.remove(name))) throw gitKeyNotFound(name);
    ctx.body = { deleted: name };
  };
}

/** GET /api/v1/git-known-hosts — built-in and trusted host keys. */
export function knownHostsListRoute(deps: GitKeyRoutesDeps): Middleware {
  return async (ctx) => {
    ctx.body = await deps.keys.listKnownHosts();
  };
}

/**
 * POST /api/v1/git-known-hosts {host, port?, key?}. With `key`: trusts it (201). Without:
 * reads the key the host offers and answers it with `trusted: false` (200) for a person
 * to compare — or `trusted: true` when that key is trusted already. Never trusts on its own.
 */
export function knownHostCreateRoute(deps: GitKeyRoutesDeps): Middleware {
  return async (ctx) => {
    const body = readBody(ctx, knownHostCreateSchema);
    const named = parseKnownHostName(body.host);
    const port = body.port ?? named.port;
    if (body.key !== undefined) {
      ctx.status = 201;
      ctx.body = await deps.keys.trust(named.host, port, body.key);
      return;
    }
    const offered = await deps.scanHostKey(named.host, port);
    const known = await deps.keys.knownHosts(named.host, port);
    const match = known.find((k) => k.key === offered.key);
    ctx.body = { host: match?.host ?? knownHostName(named.host, port), key: offered.key, fingerprint: offered.fingerprint, trusted: match !== undefined, ...(match ? { source: match.source } : {}) };
  };
}

/** DELETE /api/v1/git-known-hosts/:host — forgets the added keys of `host` (`[host]:port` for another port). */
export function knownHostDeleteRoute(deps: GitKeyRoutesDeps): Middleware {
  return async (ctx) => {
    const { host, port } = parseKnownHostName(ctx.params.host!);
    if (!(await deps.keys.untrust(host, port))) throw gitKnownHostNotFound(knownHostName(host, port), hasBuiltinHostKeys(host, port));
    ctx.body = { deleted: knownHostName(host, port) };
  };
}
