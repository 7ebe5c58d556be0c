/** The few defaults kube-apiserver fills in that Slipway's tests can notice. */
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './store.ts';

type Spec = Record<string, unknown>;

/** Fill defaults in place (e.g. a Deployment without `spec.replicas` gets 1, as on a real cluster). */
export function applyDefaults(r: ResourceInfo, o: KubeObject): void {
  const spec = o.spec as Spec | undefined;
  if (!spec || typeof spec !== 'object') return;
  const key = `${r.group}/${r.kind}`;
  if (key === 'apps/Deployment') {
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
  } else if (key === 'batch/Job') {
    spec.backoffLimit ??= 6;
    spec.completions ??= 1;
    spec.parallelism ??= 1;
  } else if (key === '/Service') {
    spec.type ??= 'ClusterIP';
  }
}
