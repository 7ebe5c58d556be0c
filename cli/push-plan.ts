/**
 * Decides what `slipway push` will do from its flags and the manifest, before any
 * request: which app and namespace, which source, which configuration. Flags override
 * the manifest; names are checked here so a bad one never reaches the server.
 */
import { resolve } from 'node:path';
import type { Origin, PreviewSettings } from '../core/types.ts';
import { withoutUndefined } from '../core/without-undefined.ts';
import type { AppConfiguration } from './api-client.ts';
import { checkedName } from './checked-name.ts';
import { usageError } from './cli-error.ts';
import type { LoadedManifest } from './manifest.ts';

/** The namespace used when neither a flag nor the manifest names one. */
export const DEFAULT_NAMESPACE = 'workspace';

/** `slipway push` flags. */
export interface PushFlags {
  name?: string;
  namespace?: string;
  /** Directory to pack. */
  path?: string;
  /** `URL` or `URL,REVISION`. */
  git?: string;
  subdir?: string;
  /** Follow the git branch: redeploy when it moves. */
  watch?: boolean;
  /** Polling interval when watching, e.g. `1m`. */
  interval?: string;
}

/** Where the source comes from, resolved. */
export type PushSource =
  | { kind: 'path'; dir: string }
  | { kind: 'git'; url: string; revision: string; subdir?: string; watch?: boolean; interval?: string; previews?: PreviewSettings }
  | { kind: 'container'; image: string };

/** Everything push needs, validated. */
export interface PushPlan {
  name: string;
  namespace: string;
  source: PushSource;
  configuration: AppConfiguration;
}

/** Splits `--git URL[,REVISION]` at the last comma (URLs rarely hold one; revisions never do). */
export function parseGitFlag(value: string): { url: string; revision: string } {
  const comma = value.lastIndexOf(',');
  const url = (comma === -1 ? value : value.slice(0, comma)).trim();
  const revision = comma === -1 ? '' : value.slice(comma + 1).trim();
  if (url === '') throw usageError(`--git ${JSON.stringify(value)} has no URL`, 'use --git URL or --git URL,REVISION');
  return { url, revision };
}

function sourceFrom(flags: PushFlags, loaded: LoadedManifest | undefined, cwd: string): PushSource {
  const origin = loaded?.manifest.origin;
  if (flags.path !== undefined && flags.git !== undefined) throw usageError('give either --path or --git, not both');
  if (flags.git !== undefined) {
    const { url, revision } = parseGitFlag(flags.git);
    const manifestGit = origin?.git;
    return withoutUndefined({ kind: 'git' as const, url, revision, subdir: flags.subdir ?? manifestGit?.subdir, watch: flags.watch ?? manifestGit?.watch, interval: flags.interval ?? manifestGit?.interval, previews: manifestGit?.previews });
  }
  if (flags.watch !== undefined || flags.interval !== undefined) {
    if (!origin?.git) throw usageError('--watch and --interval apply to git sources only', 'use --git URL,BRANCH --watch');
  }
  if (flags.subdir !== undefined && (flags.path !== undefined || !origin?.git)) {
    throw usageError('--subdir applies to git sources only', 'use --git URL --subdir PATH, or push the folder itself with --path DIR/PATH');
  }
  if (flags.path !== undefined) return { kind: 'path', dir: resolve(cwd, flags.path) };
  if (origin?.git) {
    const g = origin.git;
    return withoutUndefined({ kind: 'git' as const, url: (g.url ?? g.repository)!, revision: g.revision ?? '', subdir: flags.subdir ?? g.subdir, watch: flags.watch ?? g.watch, interval: flags.interval ?? g.interval, previews: g.previews });
  }
  if (origin?.container) return { kind: 'container', image: origin.container };
  if (origin?.path) return { kind: 'path', dir: resolve(loaded!.dir, origin.path) };
  // Like Epinio: with no origin, push the manifest's folder, or the working directory.
  return { kind: 'path', dir: loaded?.dir ?? cwd };
}

/** Merges flags over the manifest and validates the result. Throws usage errors (exit 2). */
export function planPush(flags: PushFlags, loaded: LoadedManifest | undefined, cwd: string): PushPlan {
  const manifest = loaded?.manifest;
  const rawName = flags.name ?? manifest?.name;
  if (rawName === undefined) throw usageError('no application name', 'pass --name NAME or set `name:` in slipway.yml');
  const name = checkedName('application', rawName);
  const namespace = checkedName('namespace', flags.namespace ?? manifest?.namespace ?? DEFAULT_NAMESPACE);
  const source = sourceFrom(flags, loaded, cwd);
  const c = manifest?.configuration;
  const configuration: AppConfiguration = {};
  if (c?.instances !== undefined) configuration.instances = c.instances;
  if (c?.environment !== undefined) configuration.environment = c.environment;
  if (c?.routes !== undefined) configuration.routes = c.routes;
  if (manifest?.staging?.builder !== undefined) configuration.builder = manifest.staging.builder;
  if (c?.secretEnv !== undefined) configuration.secretEnv = c.secretEnv;
  return { name, namespace, source, configuration };
}

/** The `origin` recorded on the app for a source. */
export function originOf(source: PushSource): Origin {
  if (source.kind === 'path') return { kind: 'path' };
  if (source.kind === 'container') return { kind: 'container', image: source.image };
  const origin: Origin = { kind: 'git', url: source.url };
  if (source.revision) origin.revision = source.revision;
  if (source.subdir !== undefined) origin.subdir = source.subdir;
  if (source.watch !== undefined) origin.watch = source.watch;
  if (source.interval !== undefined) origin.interval = source.interval;
  if (source.previews !== undefined) origin.previews = source.previews;
  return origin;
}
