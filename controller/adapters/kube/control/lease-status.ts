/**
 * Whether anyone is reconciling, as any replica can tell by reading the Lease: the
 * replica answering an API call may be a standby, and a run it records waits for the
 * leader. With no leader (Lease missing, released, or not renewed within its duration)
 * runs stay `pending`; `slipway push` and `GET /api/v1/info` say so instead of waiting
 * without a word (issue 10, item 11).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { isKubeStatus, fromKubeError } from '../kube-errors.ts';
import { kubeRequest } from './kube-request.ts';
import { leaseFree, leasePath, type LeaseObject } from './lease-record.ts';

/** Who reconciles. */
export interface LeaseStatus {
  reconciling: boolean;
  holder?: string;
  /** When nobody reconciles: what that means and what to look at. */
  problem?: string;
}

/** Reads Lease `namespace/name` and tells whether a live holder has it at `now`. */
export async function readLeaseStatus(kc: KubeConfig, namespace: string, name: string, now: Date): Promise<LeaseStatus> {
  let lease: LeaseObject | undefined;
  try {
    lease = await kubeRequest<LeaseObject>(kc, { method: 'GET', path: leasePath(namespace, name) });
  } catch (error) {
    if (!isKubeStatus(error, 404)) throw fromKubeError(error, `reading Lease ${namespace}/${name}`);
  }
  const look = `runs wait as "pending" until a Slipway controller pod runs; check them with: kubectl get pods -n ${namespace}`;
  if (!lease) return { reconciling: false, problem: `no controller is reconciling: the Lease ${name} in ${namespace} does not exist (no Slipway controller has started); ${look}` };
  if (leaseFree(lease.spec, now)) {
    const last = lease.spec?.holderIdentity ? ` (last held by ${lease.spec.holderIdentity})` : '';
    return { reconciling: false, problem: `no controller is reconciling: the Lease ${name} in ${namespace} is not held${last}; ${look}` };
  }
  return { reconciling: true, holder: lease.spec!.holderIdentity };
}
