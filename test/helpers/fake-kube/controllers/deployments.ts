/**
 * Simulated Deployment controller. Each Deployment gets a ReplicaSet `<name>-<pod-template-hash>`
 * (ownerReference to the Deployment) whose pods `<rs>-<5 random>` (ownerReference to the ReplicaSet)
 * carry the template labels plus `pod-template-hash`. A template change (e.g. the
 * `kubectl.kubernetes.io/restartedAt` annotation) makes a new ReplicaSet and replaces the pods.
 * With `autoRollout` pods are ready at once; otherwise they stay ContainerCreating until `rollout`.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { randomSuffix } from '../objects.ts';
import { newPod, pendingStatus, runningStatus, waitingStatus, type Template } from './pods.ts';
import type { KubeObject, Store } from '../store.ts';

/** Test controls over Deployments. */
export type DeploymentControls = {
  /** Make the current pods ready and the Deployment available. */
  rollout(ns: string, name: string): void;
  /** Make the current pods wait with `reason`; `progressDeadlineExceeded` also sets Progressing False. */
  fail(ns: string, name: string, reason: string, message?: string, opts?: { progressDeadlineExceeded?: boolean }): void;
  stop(): void;
};

const depKey = 'apps/deployments';
const rsKey = 'apps/replicasets';
const podKey = '/pods';
type Spec = { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: Template; paused?: boolean };
type Outcome = { hash: string; state: 'ready' | 'failed'; reason?: string; message?: string; deadline?: boolean };
const stamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** `pod-template-hash` of a template (10 characters, like the real one). */
export function templateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template ?? {})).digest('hex').replace(/[^bcdfghjklmnpqrstvwxz2456789]/g, '').slice(0, 10).padEnd(10, 'b');
}

/** Create the Deployment controller over `store`. */
export function createDeploymentController(deps: { store: Store; auto: boolean }): DeploymentControls {
  const { store } = deps;
  const outcomes = new Map<string, Outcome>();
  const scheduled = new Set<string>();
  const id = (ns: string, name: string) => `${ns}/${name}`;
  const owned = (key: string, owner: KubeObject) =>
    store.list(key, owner.metadata.namespace, (o) => o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid) ?? false);
  const putIfChanged = (key: string, before: KubeObject | undefined, after: KubeObject) => {
    if (!before || !isDeepStrictEqual(before, after)) store.put(key, after);
  };

  const reconcile = (ns: string, name: string): void => {
    const dep = store.peek(depKey, ns, name);
    if (!dep) return;
    const spec = dep.spec as Spec;
    const hash = templateHash(spec.template);
    const want = spec.replicas ?? 1;
    const outcome = outcomes.get(id(ns, name));
    const state = outcome?.hash === hash ? outcome.state : deps.auto ? 'ready' : 'pending';
    for (const old of owned(rsKey, dep)) if (old.metadata.labels?.['pod-template-hash'] !== hash) removeWithPods(old);
    const labels = { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash };
    const rsName = `${name}-${hash}`;
    let rs = store.get(rsKey, ns, rsName);
    if (!rs) {
      rs = store.put(rsKey, {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: {
          name: rsName, namespace: ns, uid: crypto.randomUUID(), creationTimestamp: stamp(), generation: 1, labels,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: dep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: want, selector: { matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } }, template: { ...spec.template, metadata: { ...spec.template?.metadata, labels } } },
      });
    }
    const pods = owned(podKey, rs);
    for (const extra of pods.slice(want)) store.remove(podKey, ns, extra.metadata.name!);
    for (let i = pods.length; i < want; i++) {
      const pod = newPod(rs, 'apps/v1', { ...spec.template, metadata: { ...spec.template?.metadata, labels } }, `${rsName}-${randomSuffix()}`, {});
      pod.status = pendingStatus(pod);
      pods.push(store.put(podKey, pod));
    }
    for (const pod of pods.slice(0, want)) {
      const current = pod.status as { phase?: string; containerStatuses?: { state?: { waiting?: { reason?: string } } }[] };
      const waitingFor = current.containerStatuses?.[0]?.state?.waiting?.reason;
      if (state === 'ready' && current.phase !== 'Running') putIfChanged(podKey, pod, { ...pod, status: runningStatus(pod) });
      if (state === 'ready' && current.phase === 'Running' && waitingFor) putIfChanged(podKey, pod, { ...pod, status: runningStatus(pod) });
      if (state === 'failed' && waitingFor !== outcome!.reason) putIfChanged(podKey, pod, { ...pod, status: waitingStatus(pod, outcome!.reason!, outcome!.message) });
    }
    const ready = state === 'ready' ? want : 0;
    const rsStatus = { replicas: want, fullyLabeledReplicas: want, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation };
    putIfChanged(rsKey, rs, { ...rs, spec: { ...(rs.spec as object), replicas: want }, status: rsStatus });
    putIfChanged(depKey, dep, { ...dep, status: deploymentStatus(dep, want, ready, rsName, outcome?.hash === hash ? outcome : undefined) });
  };

  const removeWithPods = (rs: KubeObject) => {
    for (const pod of owned(podKey, rs)) store.remove(podKey, pod.metadata.namespace, pod.metadata.name!);
    store.remove(rsKey, rs.metadata.namespace, rs.metadata.name!);
  };

  const schedule = (ns: string, name: string) => {
    if (scheduled.has(id(ns, name))) return;
    scheduled.add(id(ns, name));
    setImmediate(() => {
      scheduled.delete(id(ns, name));
      reconcile(ns, name);
    });
  };

  const unsubscribe = store.subscribe((e) => {
    const ns = e.object.metadata.namespace ?? '';
    if (e.key === depKey && e.type !== 'DELETED') schedule(ns, e.object.metadata.name!);
    if (e.key === depKey && e.type === 'DELETED') outcomes.delete(id(ns, e.object.metadata.name!));
    if (e.key === podKey && e.type === 'DELETED') {
      const rsRef = e.object.metadata.ownerReferences?.find((r) => r.kind === 'ReplicaSet');
      const rs = rsRef && store.get(rsKey, ns, rsRef.name);
      const depRef = rs?.metadata.ownerReferences?.find((r) => r.kind === 'Deployment');
      if (depRef) schedule(ns, depRef.name);
    }
  });

  const current = (ns: string, name: string) => {
    const dep = store.peek(depKey, ns, name);
    if (!dep) throw new Error(`fake-kube: no Deployment ${ns}/${name}`);
    return templateHash((dep.spec as Spec).template);
  };
  return {
    rollout: (ns, name) => { outcomes.set(id(ns, name), { hash: current(ns, name), state: 'ready' }); reconcile(ns, name); },
    fail: (ns, name, reason, message, opts = {}) => {
      outcomes.set(id(ns, name), { hash: current(ns, name), state: 'failed', reason, message, deadline: opts.progressDeadlineExceeded });
      reconcile(ns, name);
    },
    stop: unsubscribe,
  };
}

function deploymentStatus(dep: KubeObject, want: number, ready: number, rsName: string, outcome: Outcome | undefined): Record<string, unknown> {
  const t = stamp();
  const old = (dep.status ?? {}) as { conditions?: { type: string; status: string; reason: string; lastTransitionTime?: string }[] };
  const cond = (type: string, ok: boolean, reason: string, message: string) => {
    const prev = old.conditions?.find((c) => c.type === type);
    const same = prev && prev.status === (ok ? 'True' : 'False') && prev.reason === reason;
    return { type, status: ok ? 'True' : 'False', lastUpdateTime: same ? (prev as { lastUpdateTime?: string }).lastUpdateTime ?? t : t, lastTransitionTime: same ? prev.lastTransitionTime ?? t : t, reason, message };
  };
  const available = ready >= want;
  const progressing = outcome?.deadline
    ? cond('Progressing', false, 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`)
    : available
      ? cond('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`)
      : cond('Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
  return {
    observedGeneration: dep.metadata.generation, replicas: want, updatedReplicas: want, readyReplicas: ready, availableReplicas: ready,
    ...(want - ready > 0 ? { unavailableReplicas: want - ready } : {}),
    conditions: [
      available ? cond('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.') : cond('Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
      progressing,
    ],
  };
}
