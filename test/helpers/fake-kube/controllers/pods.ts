/** Pods the simulated controllers create, and the container states they move them through. */
import { cloneJson } from '../json-clone.ts';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../store.ts';

type Container = { name: string; image?: string };
type PodSpec = { containers?: Container[]; initContainers?: Container[] };
/** The pod template of a Job or Deployment. */
export type Template = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: PodSpec };

const stamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
let ip = 10;

/** A new pod (not stored) owned by `owner`, from `template`. */
export function newPod(owner: KubeObject, ownerApiVersion: string, template: Template, name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: owner.metadata.namespace, uid: randomUUID(), creationTimestamp: stamp(),
      labels: { ...(template.metadata?.labels ?? {}), ...labels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [{ apiVersion: ownerApiVersion, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: { restartPolicy: 'Always', ...cloneJson(template.spec ?? {}), nodeName: 'fake-node' },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

type State = { waiting?: { reason: string; message?: string }; running?: { startedAt: string }; terminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string } };

function statusOf(c: Container, state: State, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: c.name, image: c.image ?? '', imageID: state.waiting ? '' : `${c.image ?? ''}@sha256:${'0'.repeat(64)}`,
    ready: Boolean(state.running), started: Boolean(state.running), restartCount: 0, state, ...extra,
  };
}

function condition(type: string, ok: boolean, reason?: string): Record<string, unknown> {
  return { type, status: ok ? 'True' : 'False', lastTransitionTime: stamp(), ...(reason ? { reason } : {}) };
}

/** Pending: containers being created (init containers first). */
export function pendingStatus(pod: KubeObject): Record<string, unknown> {
  const spec = pod.spec as PodSpec;
  const hasInit = (spec.initContainers ?? []).length > 0;
  return {
    phase: 'Pending', qosClass: 'BestEffort', startTime: stamp(),
    conditions: [condition('PodScheduled', true), condition('Initialized', !hasInit, hasInit ? 'ContainersNotInitialized' : undefined), condition('Ready', false, 'ContainersNotReady')],
    ...(hasInit ? { initContainerStatuses: (spec.initContainers ?? []).map((c) => statusOf(c, { waiting: { reason: 'PodInitializing' } })) } : {}),
    containerStatuses: (spec.containers ?? []).map((c) => statusOf(c, { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } })),
  };
}

/** Running: init containers done, every container running and ready. */
export function runningStatus(pod: KubeObject): Record<string, unknown> {
  const spec = pod.spec as PodSpec;
  const t = stamp();
  return {
    phase: 'Running', qosClass: 'BestEffort', startTime: t, podIP: `10.0.0.${(ip = (ip % 250) + 1)}`, hostIP: '192.168.0.1',
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((c) => condition(c, true)),
    ...((spec.initContainers ?? []).length > 0
      ? { initContainerStatuses: (spec.initContainers ?? []).map((c) => statusOf(c, { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t } })) } : {}),
    containerStatuses: (spec.containers ?? []).map((c) => statusOf(c, { running: { startedAt: t } })),
  };
}

/** Finished: every main container terminated with `exitCode` (phase Succeeded or Failed). */
export function finishedStatus(pod: KubeObject, exitCode: number): Record<string, unknown> {
  const base = (pod.status as Record<string, unknown> | undefined)?.phase === 'Running' ? (pod.status as Record<string, unknown>) : runningStatus(pod);
  const t = stamp();
  const spec = pod.spec as PodSpec;
  return {
    ...base,
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: ['PodScheduled', 'Initialized'].map((c) => condition(c, true)).concat([condition('ContainersReady', false, 'PodCompleted'), condition('Ready', false, 'PodCompleted')]),
    containerStatuses: (spec.containers ?? []).map((c) =>
      statusOf(c, { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: t, finishedAt: t } })),
  };
}

/** Stuck: every container waiting with `reason` (CrashLoopBackOff also shows restarts and the last crash). */
export function waitingStatus(pod: KubeObject, reason: string, message?: string): Record<string, unknown> {
  const spec = pod.spec as PodSpec;
  const t = stamp();
  const crash = reason === 'CrashLoopBackOff';
  return {
    phase: crash ? 'Running' : 'Pending', qosClass: 'BestEffort', startTime: t,
    conditions: [condition('PodScheduled', true), condition('Initialized', true), condition('ContainersReady', false, 'ContainersNotReady'), condition('Ready', false, 'ContainersNotReady')],
    containerStatuses: (spec.containers ?? []).map((c) => statusOf(c, { waiting: { reason, ...(message ? { message } : {}) } },
      crash ? { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: t, finishedAt: t } } } : {})),
  };
}
