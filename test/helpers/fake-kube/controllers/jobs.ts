/**
 * Simulated Job controller: a created Job gets one Pod (`<job>-<5 random>`, Pending then Running);
 * tests finish it with `complete` or `fail`, or `autoJobs` does right after creation.
 */
import { randomSuffix } from '../objects.ts';
import { finishedStatus, newPod, pendingStatus, runningStatus, type Template } from './pods.ts';
import type { Logs } from '../logs.ts';
import type { KubeObject, Store } from '../store.ts';

type JobLogs = { init?: string[]; main?: string[] };

/** Test controls over Jobs. */
export type JobControls = {
  /** Append logs, end every container with exit 0, pod Succeeded, Job Complete. */
  complete(ns: string, name: string, opts?: { logs?: JobLogs }): void;
  /** Append logs, end with exit 1, pod Failed, Job Failed with `reason` (default BackoffLimitExceeded). */
  fail(ns: string, name: string, opts?: { reason?: 'BackoffLimitExceeded' | 'DeadlineExceeded'; logs?: JobLogs }): void;
  stop(): void;
};

const jobKey = 'batch/jobs';
const podKey = '/pods';
const stamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Create the Job controller over `store`. */
export function createJobController(deps: { store: Store; logs: Logs; mode: 'complete' | 'fail' | 'manual' }): JobControls {
  const { store } = deps;
  const podsOf = (job: KubeObject) => store.list(podKey, job.metadata.namespace, (p) => p.metadata.ownerReferences?.some((o) => o.uid === job.metadata.uid) ?? false);

  const ensurePod = (job: KubeObject): KubeObject => {
    const existing = podsOf(job)[0];
    if (existing) return existing;
    const template = ((job.spec as { template?: Template }).template ?? {}) as Template;
    const uid = job.metadata.uid!;
    const pod = newPod(job, 'batch/v1', template, `${job.metadata.name}-${randomSuffix()}`, {
      'job-name': job.metadata.name!, 'batch.kubernetes.io/job-name': job.metadata.name!, 'controller-uid': uid, 'batch.kubernetes.io/controller-uid': uid,
    });
    (pod.spec as { restartPolicy?: string }).restartPolicy = (template.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? 'Never';
    pod.status = pendingStatus(pod);
    const stored = store.put(podKey, pod);
    setJobStatus(job, { active: 1, ready: 0, startTime: stamp(), uncountedTerminatedPods: {} });
    return stored;
  };
  const setJobStatus = (job: KubeObject, status: Record<string, unknown>) => {
    const live = store.peek(jobKey, job.metadata.namespace, job.metadata.name!);
    if (live) store.put(jobKey, { ...live, status: { ...((live.status as object | undefined) ?? {}), ...status } });
  };
  const start = (job: KubeObject): KubeObject => {
    const pod = ensurePod(job);
    if ((pod.status as { phase?: string }).phase !== 'Pending') return pod;
    setJobStatus(job, { ready: 1 });
    return store.put(podKey, { ...pod, status: runningStatus(pod) });
  };
  const finish = (ns: string, name: string, exitCode: number, logs: JobLogs | undefined, reason: string) => {
    const job = store.peek(jobKey, ns, name);
    if (!job) throw new Error(`fake-kube: no Job ${ns}/${name}`);
    const pod = start(job);
    const spec = pod.spec as { initContainers?: { name: string }[]; containers?: { name: string }[] };
    if (logs?.init?.length && spec.initContainers?.[0]) deps.logs.append(ns, pod.metadata.name!, spec.initContainers[0].name, logs.init);
    if (logs?.main?.length && spec.containers?.[0]) deps.logs.append(ns, pod.metadata.name!, spec.containers[0].name, logs.main);
    store.put(podKey, { ...pod, status: finishedStatus(pod, exitCode) });
    const t = stamp();
    const cond = (type: string, why: string, message: string) => ({ type, status: 'True', reason: why, message, lastProbeTime: t, lastTransitionTime: t });
    const live = store.peek(jobKey, ns, name)!;
    const status = { ...((live.status as Record<string, unknown> | undefined) ?? {}) };
    delete status.active;
    status.ready = 0;
    status.uncountedTerminatedPods = {};
    if (exitCode === 0) {
      Object.assign(status, { succeeded: 1, completionTime: t, conditions: [cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'), cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')] });
    } else {
      const message = reason === 'DeadlineExceeded' ? 'Job was active longer than specified deadline' : 'Job has reached the specified backoff limit';
      Object.assign(status, { failed: 1, conditions: [cond('FailureTarget', reason, message), cond('Failed', reason, message)] });
    }
    store.put(jobKey, { ...live, status });
  };

  const unsubscribe = store.subscribe((e) => {
    if (e.key !== jobKey || e.type !== 'ADDED') return;
    const job = e.object;
    // Asynchronously, as a real cluster: the create call returns before the pod exists.
    setImmediate(() => {
      const live = store.peek(jobKey, job.metadata.namespace, job.metadata.name!);
      if (!live || live.metadata.uid !== job.metadata.uid) return;
      start(live);
      if (deps.mode === 'manual') return;
      setImmediate(() => {
        const still = store.peek(jobKey, job.metadata.namespace, job.metadata.name!);
        if (still && still.metadata.uid === job.metadata.uid && !(still.status as { conditions?: unknown[] } | undefined)?.conditions) {
          finish(job.metadata.namespace!, job.metadata.name!, deps.mode === 'complete' ? 0 : 1, undefined, 'BackoffLimitExceeded');
        }
      });
    });
  });

  return {
    complete: (ns, name, opts = {}) => finish(ns, name, 0, opts.logs, ''),
    fail: (ns, name, opts = {}) => finish(ns, name, 1, opts.logs, opts.reason ?? 'BackoffLimitExceeded'),
    stop: unsubscribe,
  };
}
