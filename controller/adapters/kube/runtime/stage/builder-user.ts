/**
 * The user and group a builder's lifecycle runs as. The lifecycle must run as the
 * builder image's CNB_USER_ID/CNB_GROUP_ID (it refuses root, and switching user needs
 * root), and the pod's fsGroup must let that user write the cache volume. Kubernetes
 * cannot read an image's environment before running it, so the ids come from a table:
 * the operator's `SLIPWAY_BUILDER_USERS` entries first, then the built-in ones, checked
 * against the builders' sources (2026-12):
 * - Paketo jammy stacks (paketo-buildpacks/jammy-*-stack `stack.toml`): uid 1001, gid 1000.
 * - Paketo noble stacks (paketo-buildpacks/ubuntu-noble-base-images `stack.toml`): uid 1001, gid 1001.
 * - Heroku (heroku/base-images `heroku-2x-build` Dockerfiles, 20 through 26): 1000:1000.
 *   (heroku-24-build was 1002:1000 until heroku/base-images#281, March 2024, made build and run the same user.)
 * A builder no entry matches gets {@link DEFAULT_BUILDER_USER} (the default builder's ids,
 * Paketo jammy); a builder with other ids then fails with the lifecycle's "exec as user" error,
 * and needs a `SLIPWAY_BUILDER_USERS` entry.
 */

/** A uid:gid pair. */
export interface BuilderUser {
  uid: number;
  gid: number;
}

/** Built-in entries, after the operator's; `*` matches any characters (including `/`). */
export const BUILT_IN_BUILDER_USERS: readonly string[] = [
  'paketobuildpacks/*noble*=1001:1001',
  'paketobuildpacks/*=1001:1000',
  'heroku/*=1000:1000',
];

/** The ids of a builder no entry matches: those of the default builder, paketobuildpacks/builder-jammy-full. */
export const DEFAULT_BUILDER_USER: BuilderUser = { uid: 1001, gid: 1000 };

/** Registry prefixes Docker Hub images may be written with; patterns match with or without them. */
const DOCKER_HUB = /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/(?:library\/)?/;

/** The ids `image` runs its lifecycle as: the first of `entries` (`pattern=uid:gid`), then the built-ins, to match. */
export function builderUser(image: string, entries: readonly string[] = []): BuilderUser {
  const names = [image, image.replace(DOCKER_HUB, '')];
  for (const entry of [...entries, ...BUILT_IN_BUILDER_USERS]) {
    const parsed = parseEntry(entry);
    if (parsed && names.some((name) => parsed.pattern.test(name))) return parsed.user;
  }
  return { ...DEFAULT_BUILDER_USER };
}

/** `pattern=uid:gid` → a whole-string matcher and the ids; undefined when malformed (the config schema refuses those). */
function parseEntry(entry: string): { pattern: RegExp; user: BuilderUser } | undefined {
  const match = /^\s*([^=]+?)\s*=\s*(\d+):(\d+)\s*$/.exec(entry);
  if (!match) return undefined;
  const source = match[1]!.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return { pattern: new RegExp(`^${source}$`), user: { uid: Number(match[2]), gid: Number(match[3]) } };
}
