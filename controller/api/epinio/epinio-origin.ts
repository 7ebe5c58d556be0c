/**
 * Epinio's `ApplicationOrigin` ↔ Slipway's `Origin`. Epinio tags the origin with an
 * integer `Kind` (0 none, 1 path, 2 git, 3 container; epinio/epinio
 * `pkg/api/core/v1/models/models.go`), and the field has no JSON tag, so it travels as
 * `"Kind"` with a capital K; a git origin names its URL `repository`.
 */
import { z } from 'zod';
import type { Origin } from '../../../core/types.ts';
import { withoutUndefined } from '../../../core/without-undefined.ts';

/** Epinio's origin codes. */
export const EPINIO_KIND = { none: 0, path: 1, git: 2, container: 3 } as const;

/** `origin` as Epinio's CLI sends it (deploy and deployments bodies). Unknown fields (`provider`, `gitconfig`) pass. */
export const epinioOriginSchema = z.object({
  Kind: z.number().int().min(0).max(3).optional(),
  path: z.string().max(4096).optional(),
  archive: z.boolean().optional(),
  container: z.string().max(1024).optional(),
  git: z.object({
    repository: z.string().max(2048).optional(),
    revision: z.string().max(255).optional(),
    branch: z.string().max(255).optional(),
  }).nullable().optional(),
});

/** An origin in Epinio's shape. */
export type EpinioOrigin = z.infer<typeof epinioOriginSchema>;

/** Slipway's origin for an Epinio one; undefined for `Kind` 0 (none) or an origin missing its one field. */
export function fromEpinioOrigin(origin: EpinioOrigin | undefined): Origin | undefined {
  switch (origin?.Kind) {
    case EPINIO_KIND.path:
      return withoutUndefined<Origin>({ kind: 'path', path: origin.path || undefined });
    case EPINIO_KIND.git:
      if (!origin.git?.repository) return undefined;
      return withoutUndefined<Origin>({ kind: 'git', url: origin.git.repository, revision: origin.git.revision || undefined, branch: origin.git.branch || undefined });
    case EPINIO_KIND.container:
      return origin.container ? { kind: 'container', image: origin.container } : undefined;
    default:
      return undefined;
  }
}

/** Epinio's shape of a Slipway origin (what `epinio app show` reads); `{Kind: 0}` when there is none. */
export function toEpinioOrigin(origin: Origin | undefined): EpinioOrigin {
  switch (origin?.kind) {
    case 'path':
      return withoutUndefined({ Kind: EPINIO_KIND.path, path: origin.path });
    case 'git':
      return { Kind: EPINIO_KIND.git, git: withoutUndefined({ repository: origin.url, revision: origin.revision, branch: origin.branch }) };
    case 'container':
      return { Kind: EPINIO_KIND.container, container: origin.image };
    default:
      return { Kind: EPINIO_KIND.none };
  }
}
