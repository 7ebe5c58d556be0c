/**
 * The spec of a pull request's preview app, taken from its parent's (issue 15): the
 * parent's repository at the pull request's ref, subdir, builder and env, one instance,
 * the default route (`<preview>.<domain>`), marked as the preview of its parent. A
 * fork's preview gets none of the env values the parent marks secret.
 */
import type { App, AppSpec, GitOrigin } from '../../../core/types.ts';
import { withoutUndefined } from '../../../core/without-undefined.ts';

/** The env a preview gets: all of the parent's, or without the secret values for a fork. */
export function previewEnv(parent: App, fork: boolean): Record<string, string> {
  if (!fork) return { ...parent.spec.env };
  const secret = new Set(parent.spec.secretEnv ?? []);
  return Object.fromEntries(Object.entries(parent.spec.env).filter(([name]) => !secret.has(name)));
}

/** The preview's spec for pull request `number` (head at `ref`) of `parent`, whose origin is git. */
export function previewSpec(parent: App, number: number, ref: string, fork: boolean): AppSpec {
  const origin = parent.spec.origin as GitOrigin;
  return withoutUndefined({
    origin: withoutUndefined({ kind: 'git' as const, url: origin.url, revision: ref, subdir: origin.subdir }),
    instances: 1,
    env: previewEnv(parent, fork),
    routes: [],
    builder: parent.spec.builder,
    secretEnv: fork || !parent.spec.secretEnv?.length ? undefined : [...parent.spec.secretEnv],
    preview: { parent: parent.metadata.name, number, ref, fork },
  });
}

/** Whether `current` differs from `wanted` in what a preview takes from its parent. */
export function previewSpecChanged(current: AppSpec, wanted: AppSpec): boolean {
  const pick = (spec: AppSpec) => JSON.stringify([spec.origin, spec.env, spec.builder ?? null, spec.secretEnv ?? [], spec.preview, spec.instances]);
  return pick(current) !== pick(wanted);
}
