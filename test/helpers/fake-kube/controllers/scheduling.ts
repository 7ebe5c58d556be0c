/**
 * What kube-scheduler writes on a pod it cannot place: phase Pending, no container
 * statuses (the kubelet never saw the pod), and `PodScheduled=False` with reason
 * `Unschedulable` and the fit errors as the message (pkg/scheduler: the pod condition
 * set by the scheduler's failure handler), e.g. `0/1 nodes are available: 1 Insufficient memory.`
 * or `… pod has unbound immediate PersistentVolumeClaims.` Tests seed it over a pod.
 */

/** The status of a pod the scheduler could not place, with the scheduler's `message`. */
export function unschedulableStatus(message: string): Record<string, unknown> {
  return {
    phase: 'Pending', qosClass: 'Burstable',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
  };
}
