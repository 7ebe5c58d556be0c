/**
 * What this process last applied, per object: the body's hash and the resourceVersion
 * the API server answered with. An apply whose body is the same, of an object the cache
 * shows at that very resourceVersion, would change nothing — nobody wrote the object
 * since — so it is skipped (issue 12: a repeat push re-applies an unchanged Service and
 * Ingress otherwise). Any other write bumps the resourceVersion, and a cache that lags or
 * lacks the object shows another one, so those apply as always; the forced apply still
 * takes back a hand edit. An object deleted and made again has another resourceVersion,
 * so entries need no forgetting.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';

/** The memo of {@link createAppliedMemo}. */
export interface AppliedMemo {
  /** True when `body` is what was last applied to the object and `cached` (the cache's copy) is still that write. */
  unchanged(body: KubernetesObject, cached: KubernetesObject | undefined): boolean;
  /** Records an apply of `body` the API server answered with `applied`. */
  remember(body: KubernetesObject, applied: KubernetesObject): void;
}

const keyOf = (o: KubernetesObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const hashOf = (o: KubernetesObject) => createHash('sha256').update(JSON.stringify(o)).digest('base64');

/** Creates an empty memo; one per process. */
export function createAppliedMemo(): AppliedMemo {
  const applied = new Map<string, { hash: string; resourceVersion: string }>();
  return {
    unchanged(body, cached) {
      const last = applied.get(keyOf(body));
      const version = cached?.metadata?.resourceVersion;
      return !!last && !!version && version === last.resourceVersion && last.hash === hashOf(body);
    },
    remember(body, result) {
      const resourceVersion = result.metadata?.resourceVersion;
      if (resourceVersion) applied.set(keyOf(body), { hash: hashOf(body), resourceVersion });
      else applied.delete(keyOf(body));
    },
  };
}
