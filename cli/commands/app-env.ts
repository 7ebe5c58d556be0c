/**
 * `slipway app env set|unset|list NAME …`: an app's environment variables. The API
 * replaces `configuration.environment` as a whole, so set and unset read the app,
 * change the map and PATCH all of it back. Names and limits are checked here with the
 * server's rules, so a typo is refused before any request. Values never appear in a
 * message; `list` hides them unless asked.
 */
import { environmentProblem } from '../../core/env-rules.ts';
import type { ApiClient } from '../api-client.ts';
import { checkedName } from '../checked-name.ts';
import { usageError } from '../cli-error.ts';

/** The server's rule for a variable name (controller/api/schemas.ts). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Which app. */
export interface AppEnvTarget {
  namespace: string;
  name: string;
}

/** What `app env set` and `app env unset` did. */
export interface AppEnvChange {
  app: string;
  namespace: string;
  /** Variables set to a new value, or removed. */
  changed: string[];
  /** Variables that already had that value (set), or were not set (unset). */
  unchanged: string[];
  /** Every variable name of the app afterwards, sorted. */
  variables: string[];
}

/** What `app env list` shows: values only when revealed. */
export interface AppEnvList {
  app: string;
  namespace: string;
  revealed: boolean;
  /** `secret` marks the variables a preview of a fork does not get (`spec.secretEnv`). */
  variables: Array<{ name: string; value?: string; secret?: boolean }>;
}

/** Byte order, the same on every machine. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function checkedVariable(key: string): string {
  if (!ENV_NAME.test(key)) {
    throw usageError(`${JSON.stringify(key)} is not an environment variable name`, 'use letters, digits and "_", not starting with a digit, e.g. DATABASE_URL', 'invalid_environment');
  }
  return key;
}

/** `KEY=VALUE` → [KEY, VALUE]; the value is everything after the first `=` and may be empty. */
export function parseAssignment(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at === -1) {
    throw usageError(`${JSON.stringify(text)} is not KEY=VALUE`, 'write KEY=VALUE (quote it in the shell if the value has spaces); to remove a variable use `slipway app env unset NAME KEY`');
  }
  return [checkedVariable(text.slice(0, at)), text.slice(at + 1)];
}

/** The app's environment as a Map: a variable may be called `__proto__`, which a plain object's `[key] =` would not store. */
async function readEnvironment(target: AppEnvTarget, api: ApiClient): Promise<{ namespace: string; name: string; env: Map<string, string>; secret: Set<string> }> {
  const namespace = checkedName('namespace', target.namespace);
  const name = checkedName('application', target.name);
  const app = await api.getApp(namespace, name);
  return { namespace, name, env: new Map(Object.entries(app.spec.env ?? {})), secret: new Set(app.spec.secretEnv ?? []) };
}

/** PATCHes the whole map when something changed; the server replaces it. */
async function writeEnvironment(api: ApiClient, namespace: string, name: string, env: Map<string, string>, changed: string[], unchanged: string[], secret: Set<string>): Promise<AppEnvChange> {
  let names = [...env.keys()];
  if (changed.length > 0) {
    const environment = Object.fromEntries(env);
    const problem = environmentProblem(environment);
    if (problem) throw usageError(`the environment of ${name} would be refused: ${problem}`, undefined, 'invalid_environment');
    // Only names still set stay marked secret.
    const secretEnv = [...secret].filter((key) => env.has(key)).sort(byName);
    const updated = await api.updateApp(namespace, name, { configuration: { environment, ...(secret.size ? { secretEnv } : {}) } });
    names = Object.keys(updated.spec.env ?? {});
  }
  return { app: name, namespace, changed, unchanged, variables: names.sort(byName) };
}

/**
 * `slipway app env set NAME KEY=VALUE… [--secret]`: adds or changes variables (the last
 * of a repeated KEY wins); with `secret` they are marked secret, so previews of pull
 * requests from forks do not get them (docs/previews.md). A marked variable stays marked.
 */
export async function appEnvSet(options: AppEnvTarget & { assignments: string[]; secret?: boolean }, deps: { api: ApiClient }): Promise<AppEnvChange> {
  const assignments = new Map(options.assignments.map(parseAssignment));
  if (assignments.size === 0) throw usageError('nothing to set', 'give one or more KEY=VALUE after the app name');
  const { namespace, name, env, secret } = await readEnvironment(options, deps.api);
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [key, value] of assignments) {
    const marking = options.secret === true && !secret.has(key);
    (env.get(key) === value && !marking ? unchanged : changed).push(key);
    env.set(key, value);
    if (options.secret) secret.add(key);
  }
  return writeEnvironment(deps.api, namespace, name, env, changed, unchanged, secret);
}

/** `slipway app env unset NAME KEY…`: removes variables; one that is not set is reported, not an error. */
export async function appEnvUnset(options: AppEnvTarget & { keys: string[] }, deps: { api: ApiClient }): Promise<AppEnvChange> {
  const keys = [...new Set(options.keys.map(checkedVariable))];
  if (keys.length === 0) throw usageError('nothing to unset', 'give one or more variable names after the app name');
  const { namespace, name, env, secret } = await readEnvironment(options, deps.api);
  const changed = keys.filter((key) => env.has(key));
  const unchanged = keys.filter((key) => !env.has(key));
  for (const key of changed) env.delete(key);
  return writeEnvironment(deps.api, namespace, name, env, changed, unchanged, secret);
}

/** `slipway app env list NAME [--reveal]`: the variables, sorted; values only with `reveal`. */
export async function appEnvList(options: AppEnvTarget & { reveal?: boolean }, deps: { api: ApiClient }): Promise<AppEnvList> {
  const { namespace, name, env, secret } = await readEnvironment(options, deps.api);
  const revealed = options.reveal === true;
  const variables = [...env.keys()].sort(byName).map((key) => ({
    name: key, ...(revealed ? { value: env.get(key)! } : {}), ...(secret.has(key) ? { secret: true } : {}),
  }));
  return { app: name, namespace, revealed, variables };
}
