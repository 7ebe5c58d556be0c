/**
 * The App's conditions (`Ready`, `Staged`, `Deployed`), kept Kubernetes-style so that
 * `kubectl get apps` and `kubectl wait --for=condition=Ready` tell the truth. They are
 * derived from runs (written in the same status update as the run) and from what the
 * runtime reports; `lastTransitionTime` moves only when a condition's status changes.
 */
import type { App, Condition, Run, RuntimeState } from '../../core/types.ts';

type ConditionChange = Omit<Condition, 'lastTransitionTime'>;

/** `stage_failed` → `StageFailed`: condition reasons are CamelCase. */
export function reasonOf(code: string): string {
  return code.split(/[_-]/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Unknown';
}

/** Sets conditions by type, keeping the transition time of those whose status did not change. */
export function setConditions(existing: Condition[] | undefined, changes: ConditionChange[], now: string): Condition[] {
  const next = [...(existing ?? [])];
  for (const change of changes) {
    const at = next.findIndex((c) => c.type === change.type);
    const before = at >= 0 ? next[at] : undefined;
    const condition: Condition = { ...change, lastTransitionTime: before && before.status === change.status ? before.lastTransitionTime : now };
    if (change.observedGeneration === undefined) delete condition.observedGeneration;
    if (at >= 0) next[at] = condition;
    else next.push(condition);
  }
  const order = ['Ready', 'Staged', 'Deployed'];
  return next.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** Condition changes a run's new state implies; `previous` is the run as stored before this change. */
export function runConditionChanges(run: Run, previous: Run | undefined): ConditionChange[] {
  const observedGeneration = run.generation;
  const c = (type: Condition['type'], status: Condition['status'], reason: string, message: string): ConditionChange =>
    ({ type, status, reason, message, ...(observedGeneration !== undefined ? { observedGeneration } : {}) });
  switch (run.phase) {
    case 'importing':
      return [c('Staged', 'Unknown', 'Importing', `run ${run.id} is importing the source`)];
    case 'staging':
      return [c('Staged', 'Unknown', 'Staging', `stage ${run.stageId ?? ''} is building`)];
    case 'deploying':
      return [
        ...(run.kind === 'deploy' && previous?.phase === 'staging' ? [c('Staged', 'True', 'Staged', `stage ${run.stageId ?? ''} built ${run.image ?? ''}`)] : []),
        c('Deployed', 'Unknown', 'Deploying', `rolling out ${run.image ?? ''}`),
      ];
    case 'succeeded':
      return [
        c('Deployed', 'True', 'RolloutComplete', `release ${run.release ?? ''} serves${run.urls?.length ? ` at ${run.urls.join(', ')}` : ''}`),
        c('Ready', 'True', 'Serving', `release ${run.release ?? ''} is ready`),
      ];
    case 'failed': {
      const code = run.error?.code ?? 'failed';
      // A superseded run says nothing about the app: the newer run will.
      if (code === 'superseded') return [];
      const message = run.error?.message ?? 'the run failed';
      if (previous?.phase === 'deploying') return [c('Deployed', 'False', reasonOf(code), message)];
      return [c('Staged', 'False', reasonOf(code), message)];
    }
    default:
      return [];
  }
}

/** The Ready condition for what the runtime reports about a deployed app. */
export function readyFromRuntime(app: App, runtime: RuntimeState): ConditionChange {
  const observedGeneration = app.metadata.generation;
  if (runtime.phase === 'running') return { type: 'Ready', status: 'True', reason: 'Serving', message: `${runtime.ready}/${runtime.desired} instances ready`, observedGeneration };
  if (runtime.phase === 'absent') return { type: 'Ready', status: 'False', reason: 'NotDeployed', message: runtime.message ?? 'nothing runs for this app', observedGeneration };
  if (runtime.phase === 'starting') return { type: 'Ready', status: 'Unknown', reason: 'Starting', message: runtime.message ?? `${runtime.ready}/${runtime.desired} instances ready`, observedGeneration };
  return { type: 'Ready', status: 'False', reason: reasonOf(runtime.phase), message: runtime.message ?? `${runtime.ready}/${runtime.desired} instances ready`, observedGeneration };
}
