/**
 * Waits for a rollout through the controller's Deployment cache (issue 12): no watch of
 * its own, the cache's events for the app's Deployment wake it, and the cached status
 * (`kubectl rollout status`'s checks) says when it is done. The cache may lag behind
 * the apply: a cached Deployment older than the applied generation says nothing, so a
 * stale cache never ends the wait early. Pods are read only when the rollout looks slow
 * — after 2 s without being done, then at doubling intervals up to 10 s — and before a
 * rollout is failed, so a failure is always judged on fresh reads of the Deployment and
 * its pods, as in wait-for-rollout.ts.
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { deployFailed } from '../../../../../core/error-cases.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { createCacheNap } from '../../cache/cache-nap.ts';
import type { CachedDeployment } from '../../cache/kube-cache.ts';
import type { WaitableCache } from '../../cache/runtime-caches.ts';
import { appPodSelectorString } from './app-object-meta.ts';
import { kubeCall } from './kube-call.ts';
import { describeProblem } from './pod-problem.ts';
import { createPullGrace } from './pull-grace.ts';
import { rolloutFailure } from './rollout-failure.ts';
import { rolloutState, type RolloutState } from './rollout-state.ts';
import type { WaitForRolloutOptions } from './wait-for-rollout.ts';

/** First fresh read of a rollout not done by then, and the longest gap between reads. */
const FIRST_READ_MS = 2_000;
const MAX_READ_GAP_MS = 10_000;

/** Resolves when the rollout of at least `generation` is done; throws `deploy_failed` as {@link waitForRollout} does. */
export async function waitForCachedRollout(options: WaitForRolloutOptions, deployments: WaitableCache<CachedDeployment>, generation: number): Promise<void> {
  const { kc, namespace, app, signal } = options;
  const deadline = Date.now() + options.timeoutMs;
  const pulls = createPullGrace(options.pullGraceMs ?? 120_000);
  let gap = FIRST_READ_MS;
  let nextRead = Date.now() + gap;
  let last: RolloutState | undefined;
  let lastError: string | undefined;
  const nap = createCacheNap(signal);
  const unsubscribe = deployments.waiters.subscribe(namespace, app, nap.wake);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const cached = deployments.watch.get(namespace, app);
      let read = Date.now() >= nextRead || Date.now() >= deadline;
      if (cached && (cached.metadata?.generation ?? 0) >= generation) {
        // The slim cache keeps no pod template; with no pods to match, none is read.
        const state = rolloutState({ ...cached, spec: { ...cached.spec, template: {} } } as V1Deployment, []);
        if (state.kind === 'done') return;
        if (state.kind === 'failed') read = true;
        else last = state;
      }
      if (read) {
        const fresh = await freshState();
        if (fresh === 'done') return;
        if (Date.now() >= deadline) {
          const why = lastError ?? (pulls.pulling ? describeProblem(pulls.pulling) : last?.kind === 'progressing' ? last.detail : 'no progress');
          throw deployFailed(`${options.what} did not become available within ${Math.round(options.timeoutMs / 1000)} s (${why})`);
        }
        gap = Math.min(MAX_READ_GAP_MS, gap * 2);
        nextRead = Date.now() + gap;
        // A tolerated pull failure is looked at again soon after its grace ends.
        if (pulls.pulling) nextRead = Math.min(nextRead, pulls.graceEndsAt()! + 10);
      }
      await nap.sleep(Math.min(nextRead, deadline) - Date.now());
    }
  } finally {
    unsubscribe();
  }

  /** Reads the Deployment and its pods: 'done', or undefined while it progresses; throws when it failed. */
  async function freshState(): Promise<'done' | undefined> {
    let deployment: V1Deployment | undefined;
    let pods: V1Pod[];
    try {
      deployment = await kubeCall(`reading Deployment ${namespace}/${app}`, () => kubeRequest<V1Deployment>(kc, { method: 'GET', path: resourcePath({ group: 'apps', version: 'v1', namespace, plural: 'deployments', name: app }), signal }), { allowNotFound: true, signal });
      pods = (await kubeCall(`listing the pods of ${namespace}/${app}`, () => kubeRequest<{ items: V1Pod[] }>(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'pods' }), query: { labelSelector: appPodSelectorString(app) }, signal }), { signal })).items;
    } catch (error) {
      // A flaky API is not a failed rollout: keep trying until the deadline.
      if (!isSlipwayError(error) || error.retry !== 'backoff') throw error;
      lastError = error.message;
      options.logger.warn({ app, namespace, err: error.message }, 'reading the rollout failed; trying again');
      return undefined;
    }
    lastError = undefined;
    if (!deployment) throw deployFailed(`${options.what}: the Deployment ${namespace}/${app} was deleted during the rollout`);
    pulls.reset();
    last = rolloutState(deployment, pods, pulls.tolerate);
    if (last.kind === 'done') return 'done';
    if (last.kind === 'failed') throw await rolloutFailure(kc, namespace, options.what, last, pulls.graceMs);
    return undefined;
  }
}
