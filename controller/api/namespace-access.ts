/**
 * Per-namespace access: a user's `namespaces` lists what it may touch; `*` is every
 * namespace (and the right to create and delete namespaces).
 */
import type { RouterMiddleware, RouterParameterMiddleware } from '@koa/router';
import { SlipwayError } from '../../core/errors.ts';
import { unauthorized } from '../../core/error-cases.ts';
import type { User } from '../auth/user-store.ts';

/** True when `user` may work in `namespace`. */
export function mayAccess(user: User, namespace: string): boolean {
  return user.namespaces.includes('*') || user.namespaces.includes(namespace);
}

/** True when `user` may create or delete namespaces. */
export function mayManageNamespaces(user: User): boolean {
  return user.namespaces.includes('*');
}

/** 403 `forbidden`: the user is authenticated but not allowed. */
export const forbidden = (username: string, what: string) =>
  new SlipwayError('forbidden', `user "${username}" may not ${what}; ask an administrator to add it to the user's namespaces`, { status: 403, retry: 'stalled' });

/** The authenticated user; refuses (401) rather than fail if auth somehow did not run. */
export function currentUser(state: { user?: User }): User {
  if (!state.user) throw unauthorized();
  return state.user;
}

/** Router param guard for `:ns`: refuses namespaces the user may not access. */
export const guardNamespace: RouterParameterMiddleware = async (namespace, ctx, next) => {
  const user = currentUser(ctx.state);
  if (!mayAccess(user, namespace)) throw forbidden(user.username, `access namespace "${namespace}"`);
  await next();
};

/** Middleware for routes that create or delete namespaces. */
export const requireNamespaceAdmin: RouterMiddleware = async (ctx, next) => {
  const user = currentUser(ctx.state);
  if (!mayManageNamespaces(user)) throw forbidden(user.username, 'create or delete namespaces');
  await next();
};
