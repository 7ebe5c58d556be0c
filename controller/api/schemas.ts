/**
 * Request body schemas. Field names follow Epinio's API (`configuration.instances`,
 * `environment`, `routes`; `giturl`, `gitrev`) so Epinio users and scripts feel at home.
 */
import { z } from 'zod';
import { validateGitUrl, validateRevision, validateSubdir } from '../../core/git-rules.ts';
import { MAX_ROUTE_LENGTH, parseRouteInput } from '../../core/routes.ts';
import { environmentProblem } from '../../core/env-rules.ts';

/** A string checked by one of the shared git rules; the rule's message becomes the field's problem. */
const byRule = (check: (value: string) => unknown, max: number) => z.string().max(max).superRefine((value, ctx) => {
  try {
    check(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});
const gitUrl = byRule(validateGitUrl, 2048);
const gitRevision = byRule(validateRevision, 255);
const gitSubdir = byRule(validateSubdir, 4096);

// Only the shape here: the routes check names themselves, so a bad one is `invalid_name` (as a bad name in a path is), not `invalid_request`.
const name = z.string().max(253);

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and "_", not starting with a digit');
/** A route, stored in its normal form (core/routes.ts): what the router and the conflict checks compare. */
const route = z.string().max(MAX_ROUTE_LENGTH).transform((value, ctx) => {
  const parsed = parseRouteInput(value);
  if (typeof parsed !== 'string') return parsed.host + parsed.path;
  ctx.addIssue({ code: 'custom', message: `"${value}": ${parsed}` });
  return z.NEVER;
});

/** Most preview apps one app may have open (`origin.git.previews.max`). */
export const MAX_PREVIEWS_LIMIT = 50;

/** `origin.git.previews` (issue 15). */
export const previewSettingsSchema = z.object({
  enabled: z.boolean(),
  max: z.number().int().min(1).max(MAX_PREVIEWS_LIMIT).optional(),
  allowForks: z.boolean().optional(),
}).strict();

/** `origin` as clients send it. */
export const originSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().max(4096).optional() }),
  z.object({
    kind: z.literal('git'),
    url: gitUrl,
    revision: gitRevision.optional(),
    branch: gitRevision.optional(),
    subdir: gitSubdir.optional(),
    watch: z.boolean().optional(),
    interval: z.string().regex(/^\d+(s|m|h)$/, 'an interval is a number with s, m or h, e.g. "1m"').optional(),
    previews: previewSettingsSchema.optional(),
  }),
  z.object({ kind: z.literal('container'), image: z.string().min(1).max(1024) }),
]);

/**
 * Fields of Epinio's `ApplicationUpdateRequest` Slipway has nothing for: configurations
 * (service bindings), app charts and their settings. Epinio's CLI always sends them,
 * empty when the user set none; empty passes, a value is refused by the route.
 */
const epinioExtras = {
  configurations: z.array(z.string().max(253)).max(100).nullable().optional(),
  appchart: z.string().max(253).optional(),
  settings: z.record(z.string(), z.unknown()).nullable().optional(),
  restart: z.boolean().nullable().optional(),
  replace_env: z.boolean().nullable().optional(),
};

/** The settings of an app, in a create's `configuration` or a PATCH. `null` (Epinio) means "leave as is". */
const settingsFields = {
  instances: z.number().int().min(0).max(100).nullable().optional(),
  environment: z.record(envName, z.string()).superRefine((env, ctx) => {
    const problem = environmentProblem(env);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }).nullable().optional(),
  routes: z.array(route).max(50).transform((routes) => [...new Set(routes)]).nullable().optional(),
};

/** `configuration` of an app create or update (Slipway's and Epinio's field names). */
export const configurationSchema = z.object({
  ...settingsFields,
  builder: z.string().min(1).max(1024).optional(),
  /** Names of variables whose values are secret (never given to a preview of a fork). */
  secretEnv: z.array(envName).max(1000).transform((names) => [...new Set(names)]).optional(),
  ...epinioExtras,
}).strict();

/** POST /api/v1/namespaces */
export const namespaceCreateSchema = z.object({ name }).strict();

/** POST /api/v1/namespaces/:ns/applications */
export const appCreateSchema = z.object({
  name,
  configuration: configurationSchema.optional(),
  origin: originSchema.optional(),
}).strict();

/**
 * PATCH /api/v1/namespaces/:ns/applications/:app: Slipway's `{configuration, origin}`,
 * or Epinio's flat `ApplicationUpdateRequest` (`{restart, instances, configurations,
 * environment, routes, appchart?}`).
 */
export const appUpdateSchema = z.object({
  configuration: configurationSchema.optional(),
  origin: originSchema.optional(),
  ...settingsFields,
  ...epinioExtras,
}).strict();

/** POST …/applications/:app/import-git (JSON or form). */
export const importGitSchema = z.object({
  giturl: z.string().min(1, 'giturl is required').max(2048),
  gitrev: z.string().max(255).default(''),
  subdir: z.string().max(4096).optional(),
  /** Epinio's named git configuration (credentials, proxies); Slipway has none, so only empty passes. */
  gitconfig: z.string().max(0, 'git configurations are not supported by Slipway; leave gitconfig empty').optional(),
});

/** POST /api/v1/git-keys — a deploy key: generated when `privateKey` is absent. */
export const gitKeyCreateSchema = z.object({
  host: z.string().min(1, 'host is required').max(300),
  name: z.string().max(63).optional(),
  // An RSA 4096 PEM is about 3.3 kB; 32 kB leaves room and refuses anything that is not a key.
  privateKey: z.string().max(32_768, 'a private key file is a few kilobytes at most').optional(),
}).strict();

/** POST /api/v1/git-known-hosts — without `key`, the server reads the host's key and answers it untrusted. */
export const knownHostCreateSchema = z.object({
  host: z.string().min(1, 'host is required').max(300),
  port: z.number().int().min(1).max(65535).optional(),
  key: z.string().max(16_384).optional(),
}).strict();
