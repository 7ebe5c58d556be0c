/**
 * The `coordination.k8s.io/v1` Lease as leader election reads and writes it, with
 * client-go's rules for when a Lease may be taken (leaderelection/resourcelock).
 */

/** A Lease object as JSON (times are MicroTime strings). */
export interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; [field: string]: unknown };
  spec?: LeaseSpec;
}

/** The fields of `spec` leader election uses. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** API path of the Leases of a namespace, or of one Lease. */
export function leasePath(namespace: string, name?: string): string {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits, `2006-01-02T15:04:05.000000Z`. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

/** True when nobody holds the lease, or its holder's last renewal plus the lease duration lies in the past. */
export function leaseFree(spec: LeaseSpec | undefined, now: Date): boolean {
  if (!spec?.holderIdentity) return true;
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
  if (Number.isNaN(renewed)) return true;
  return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 <= now.getTime();
}

/**
 * The spec that makes `identity` the holder as of `now`, from the spec read. Taking it
 * over from someone else (or from nobody) sets `acquireTime` and counts a transition;
 * a renewal keeps both.
 */
export function heldSpec(previous: LeaseSpec | undefined, identity: string, leaseDurationSeconds: number, now: Date): LeaseSpec {
  const renewal = previous?.holderIdentity === identity;
  const stamp = microTime(now);
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: renewal && previous?.acquireTime ? previous.acquireTime : stamp,
    renewTime: stamp,
    leaseTransitions: previous === undefined ? 0 : (previous.leaseTransitions ?? 0) + (renewal ? 0 : 1),
  };
}

/** The spec a holder writes when it lets go: no holder, expired now (as client-go's ReleaseOnCancel writes it). */
export function releasedSpec(previous: LeaseSpec | undefined, now: Date): LeaseSpec {
  const stamp = microTime(now);
  return { leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp, leaseTransitions: previous?.leaseTransitions ?? 0 };
}
