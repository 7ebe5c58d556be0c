/**
 * Waits until a Deployment's rollout is done, fails early when it cannot finish, or
 * gives up at a deadline. Watches on the Deployment and its pods keep what they report
 * (a watch opens with the objects as they stand), and progress is judged from that: a
 * rollout that finishes while watched costs no read (issue 12). Before it fails a
 * rollout, and every few seconds without watch news, it re-reads the Deployment and its
 * pods, so a failure is always judged on fresh reads and a lost watch event costs at
 * most that long.
 */
import type { KubeConfig, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import type { Logger } from '../../../../../core/ports/logger.ts';
import { deployFailed } from '../../../../../core/error-cases.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';
import { appPodSelectorString } from './app-object-meta.ts';
import { kubeCall } from './kube-call.ts';
import { describeProblem, isCurrentPod, templateMark } from './pod-problem.ts';
import { createPullGrace } from './pull-grace.ts';
import { rolloutFailure } from './rollout-failure.ts';
import { rolloutState, type RolloutState } from './rollout-state.ts';
import { watchChanges } from './watch-changes.ts';

/** Re-read this often even when no watch event came. */
const POLL_MS = 2_000;

/** Options of {@link waitForRollout}. */
export interface WaitForRolloutOptions {
  kc: KubeConfig;
  logger: Logger;
  namespace: string;
  app: string;
  /** What rolls out, for messages: "release s-123 of web". */
  what: string;
  timeoutMs: number;
  /**
   * How long a new pod may fail to pull its image before the rollout fails (default 2 min):
   * a pull can fail for a moment (a registry restarting, its NodePort not open yet) and the
   * kubelet retries it, so an early ErrImagePull is not yet a failed release.
   */
  pullGraceMs?: number;
  signal?: AbortSignal;
}

/** Resolves when the rollout is done; throws `deploy_failed` naming the pod and reason, or the deadline. */
export async function waitForRollout(options: WaitForRolloutOptions): Promise<void> {
  const { kc, namespace, app, signal } = options;
  const labelSelector = appPodSelectorString(app);
  const deadline = Date.now() + options.timeoutMs;

  // The watches' opening events are the first look; the poll covers a watch that does not open.
  let dirty = false;
  let read = false;
  let wake: (() => void) | undefined;
  const watched: { deployment?: V1Deployment; pods: Map<string, V1Pod> } = { pods: new Map() };
  const notify = (event?: { type: string; object: unknown; target: number }) => {
    if (event && (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED')) {
      const gone = event.type === 'DELETED';
      if (event.target === 0) {
        const deployment = event.object as V1Deployment;
        if (deployment?.metadata?.name === app) watched.deployment = gone ? undefined : deployment;
      } else {
        const pod = event.object as V1Pod;
        const name = pod?.metadata?.name;
        if (name && gone) watched.pods.delete(name);
        else if (name) watched.pods.set(name, pod);
      }
    } else {
      // A reopen or an error: what was kept may be stale; read.
      read = true;
    }
    dirty = true;
    wake?.();
  };
  const stop = watchChanges(kc, [
    { path: `/apis/apps/v1/namespaces/${namespace}/deployments`, query: { fieldSelector: `metadata.name=${app}` } },
    { path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector } },
  ], notify, options.logger);

  let last: RolloutState | undefined;
  let lastError: string | undefined;
  const pulls = createPullGrace(options.pullGraceMs ?? 120_000);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) {
        const why = lastError ?? (pulls.pulling ? describeProblem(pulls.pulling) : last?.kind === 'progressing' ? last.detail : 'no progress');
        throw deployFailed(`${options.what} did not become available within ${Math.round(options.timeoutMs / 1000)} s (${why})`);
      }
      if (!dirty) {
        await new Promise<void>((resolve) => {
          // A tolerated pull failure is looked at again soon after its grace ends, whatever the watches say.
          const graceEnd = pulls.pulling ? Math.max(0, pulls.graceEndsAt()! - Date.now()) : Infinity;
          const timer = setTimeout(() => { read = true; resolve(); }, Math.min(POLL_MS, left, graceEnd + 10));
          const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); wake = undefined; resolve(); };
          wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
        // Woken or not, look again: the poll is what covers a lost watch event (and a pull grace running out).
        dirty = true;
        continue;
      }
      dirty = false;
      if (!read && watched.deployment) {
        pulls.reset();
        const pods = [...watched.pods.values()];
        const state = rolloutState(watched.deployment, pods, pulls.tolerate);
        const mark = templateMark(watched.deployment.spec?.template.metadata);
        const current = pods.filter((pod) => isCurrentPod(pod, mark)).length;
        // Done with every new pod seen: the watches tell enough. Done before the pod
        // watch reported them, or progressing: wait for more news (or the poll's read).
        if (state.kind === 'done' && current >= (watched.deployment.spec?.replicas ?? 1)) return;
        if (state.kind !== 'failed') {
          if (state.kind === 'progressing') last = state;
          continue;
        }
        // A failure is judged on fresh reads.
      }
      read = false;
      let deployment: V1Deployment | undefined;
      let pods: V1Pod[];
      try {
        deployment = await kubeCall(`reading Deployment ${namespace}/${app}`, () => kubeRequest<V1Deployment>(kc, { method: 'GET', path: resourcePath({ group: 'apps', version: 'v1', namespace, plural: 'deployments', name: app }), signal }), { allowNotFound: true, signal });
        pods = (await kubeCall(`listing the pods of ${namespace}/${app}`, () => kubeRequest<{ items: V1Pod[] }>(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'pods' }), query: { labelSelector }, signal }), { signal })).items;
      } catch (error) {
        // A flaky API is not a failed rollout: keep trying until the deadline.
        if (!isSlipwayError(error) || error.retry !== 'backoff') throw error;
        lastError = error.message;
        options.logger.warn({ app, namespace, err: error.message }, 'reading the rollout failed; trying again');
        continue;
      }
      lastError = undefined;
      if (!deployment) throw deployFailed(`${options.what}: the Deployment ${namespace}/${app} was deleted during the rollout`);
      pulls.reset();
      last = rolloutState(deployment, pods, pulls.tolerate);
      if (last.kind === 'done') return;
      if (last.kind === 'failed') throw await rolloutFailure(kc, namespace, options.what, last, pulls.graceMs);
    }
  } finally {
    stop();
  }
}
