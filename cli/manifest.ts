/**
 * The push manifest: `slipway.yml` (or Epinio's `epinio.yml`) in Epinio's shape plus
 * Slipway's additions (git `subdir`, `watch`, `interval`, `previews`; `configuration.secretEnv`). Validated with zod so a bad
 * field is reported by its path before anything is sent.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { usageError } from './cli-error.ts';

/** File names looked for in the working directory, in order. */
export const MANIFEST_FILES = ['slipway.yml', 'slipway.yaml', 'epinio.yml', 'epinio.yaml'] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const gitSchema = z.strictObject({
  url: z.string().min(1).optional(),
  /** Epinio calls the URL `repository`. */
  repository: z.string().min(1).optional(),
  revision: scalar.optional(),
  subdir: z.string().min(1).optional(),
  watch: z.boolean().optional(),
  interval: z.string().regex(/^\d+(s|m|h)$/, 'an interval is a number with s, m or h, e.g. "1m"').optional(),
  /** Pull request preview apps (issue 15). */
  previews: z.strictObject({
    enabled: z.boolean(),
    max: z.number().int().min(1).max(50).optional(),
    allowForks: z.boolean().optional(),
  }).optional(),
}).refine((git) => git.url !== undefined || git.repository !== undefined, { message: 'needs a url' });

const manifestSchema = z.strictObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  origin: z.strictObject({
    path: z.string().min(1).optional(),
    git: gitSchema.optional(),
    container: z.string().min(1).optional(),
  }).refine((o) => [o.path, o.git, o.container].filter((x) => x !== undefined).length <= 1, {
    message: 'give only one of path, git and container',
  }).optional(),
  configuration: z.strictObject({
    instances: z.number().int().min(0).max(100).optional(),
    environment: z.record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and "_", not starting with a digit'),
      scalar,
    ).optional(),
    routes: z.array(z.string().min(1)).optional(),
    /** Names of environment variables whose values are secret (never given to a preview of a fork). */
    secretEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and "_", not starting with a digit')).optional(),
    /** Epinio's service bindings and app chart: accepted so its manifests load, not used. */
    configurations: z.array(z.string()).optional(),
    appchart: z.string().optional(),
  }).optional(),
  /** Epinio's `staging.builder`: the buildpacks builder image. */
  staging: z.strictObject({ builder: z.string().min(1).optional() }).optional(),
});

/** A parsed manifest. Paths are as written; {@link LoadedManifest.dir} resolves them. */
export type Manifest = z.output<typeof manifestSchema>;

/** A manifest and where it was found. */
export interface LoadedManifest {
  manifest: Manifest;
  /** The file it came from. */
  file: string;
  /** Its folder: a relative `origin.path` is resolved from here. */
  dir: string;
  /** Fields accepted for Epinio compatibility that Slipway ignores. */
  warnings: string[];
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, undefined, 'invalid_manifest');
  }
}

/** Validates manifest text; throws a usage error naming the file, line or field. */
export function parseManifest(text: string, file: string): Omit<LoadedManifest, 'file' | 'dir'> {
  const name = basename(file);
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    const reason = String((error as Error).message).split('\n')[0];
    throw usageError(`${name}${line ? ` line ${line}` : ''}: not valid YAML: ${reason}`, `fix ${file}`, 'invalid_manifest');
  }
  const result = manifestSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(top level)';
      const unknown = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => [...issue.path, k].join('.')).join(', ')}` : undefined;
      if (unknown) return unknown;
      // zod nests the reason a record key failed; show that, not "Invalid key in record".
      if (issue.code === 'invalid_key') return `${field}: invalid name: ${issue.issues.map((i) => i.message).join(', ')}`;
      return `${field}: ${issue.message}`;
    });
    throw usageError(`${name}: ${problems.join('; ')}`, `fix ${file} (the format is in docs/cli.md)`, 'invalid_manifest');
  }
  const manifest = result.data;
  const warnings: string[] = [];
  if (manifest.configuration?.configurations?.length) warnings.push('configuration.configurations (service bindings) is ignored: Slipway has no services');
  if (manifest.configuration?.appchart) warnings.push('configuration.appchart is ignored: Slipway has no app charts');
  return { manifest, warnings };
}

/**
 * Loads the manifest at `path` (must exist), or the first of {@link MANIFEST_FILES} in
 * `cwd`; undefined when there is none.
 */
export async function loadManifest(cwd: string, path?: string): Promise<LoadedManifest | undefined> {
  const candidates = path === undefined ? MANIFEST_FILES.map((name) => resolve(cwd, name)) : [resolve(cwd, path)];
  for (const file of candidates) {
    const text = await readIfPresent(file);
    if (text === undefined) continue;
    return { ...parseManifest(text, file), file, dir: dirname(file) };
  }
  if (path !== undefined) throw usageError(`manifest ${path} does not exist`, 'give the path of a slipway.yml, or leave it out to use the one in this folder', 'invalid_manifest');
  return undefined;
}
