/**
 * Waits for a Job to finish: first a watch of that one Job from no resourceVersion —
 * its opening ADDED event is the Job as it stands, so no GET is needed (issue 12) — then
 * a GET and a watch from the GET's resourceVersion after every end of the watch — a dropped connection, a
 * 410 Gone, a server timeout or the periodic resync — so a lost event only delays the
 * answer until the next resync. Errors back off exponentially; nothing here gives up
 * before the deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig, V1Job } from '@kubernetes/client-node';
// Deep path: the package index would load client-node's generated API and model catalogue (docs/adr/0005-slim-kubernetes-client.md).
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import { isKubeStatus } from '../../kube-errors.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { jobOutcome } from './job-outcome.ts';

/** Options of {@link waitForJob}. */
export interface WaitForJobOptions {
  /** Give up (resolve `timeout`) after this long. */
  timeoutMs: number;
  /** Re-read the Job at least this often, whatever the watch says. */
  resyncMs?: number;
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** How the wait ended. */
export type JobWait = { kind: 'finished'; job: V1Job } | { kind: 'deleted' } | { kind: 'timeout' };

/** Waits until Job `namespace/name` is finished or deleted, or the time is up. */
export async function waitForJob(kc: KubeConfig, namespace: string, name: string, options: WaitForJobOptions): Promise<JobWait> {
  const { signal } = options;
  const deadline = Date.now() + options.timeoutMs;
  const watch = new Watch(kc);
  // Failed reads and watches that end at once back off separately, so one kind of
  // trouble does not slow recovery from the other.
  let failedReads = 0;
  let quickEnds = 0;
  const pause = async (attempt: number) => {
    const ms = Math.min(5_000, 100 * 2 ** Math.min(attempt - 1, 6)) * (0.5 + Math.random() / 2);
    await sleep(Math.min(ms, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => {});
  };
  let first = true;
  for (;;) {
    signal?.throwIfAborted();
    if (Date.now() >= deadline) return { kind: 'timeout' };
    if (first) {
      first = false;
      const started = Date.now();
      const seen = await watchOnce(watch, namespace, name, undefined, Math.min(options.resyncMs ?? 30_000, deadline - Date.now()), signal);
      if (seen.kind !== 'ended') return seen;
      if (seen.failed || Date.now() - started < 1_000) {
        quickEnds += 1;
        await pause(quickEnds);
      }
      continue;
    }
    let job: V1Job;
    try {
      job = await kubeRequest<V1Job>(kc, { method: 'GET', path: resourcePath({ group: 'batch', version: 'v1', namespace, plural: 'jobs', name }) });
    } catch (error) {
      if (isKubeStatus(error, 404)) return { kind: 'deleted' };
      failedReads += 1;
      await pause(failedReads);
      continue;
    }
    failedReads = 0;
    if (jobOutcome(job)) return { kind: 'finished', job };
    signal?.throwIfAborted();
    const started = Date.now();
    const seen = await watchOnce(watch, namespace, name, job.metadata?.resourceVersion, Math.min(options.resyncMs ?? 30_000, deadline - Date.now()), signal);
    if (seen.kind !== 'ended') return seen;
    // A watch that ends at once (refused, dropped, 410) is retried with backoff.
    if (seen.failed || Date.now() - started < 1_000) {
      quickEnds += 1;
      await pause(quickEnds);
    } else {
      quickEnds = 0;
    }
  }
}

/** One watch of the Job: resolves with its end, or with news that ends the wait. */
function watchOnce(watch: Watch, namespace: string, name: string, resourceVersion: string | undefined, ms: number, signal?: AbortSignal): Promise<JobWait | { kind: 'ended'; failed: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (result: JobWait | { kind: 'ended'; failed: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(result);
    };
    const onAbort = () => finish({ kind: 'ended', failed: false });
    const timer = setTimeout(() => finish({ kind: 'ended', failed: false }), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) return onAbort();
    const query = {
      fieldSelector: `metadata.name=${name}`,
      ...(resourceVersion ? { resourceVersion } : {}),
      timeoutSeconds: Math.max(1, Math.ceil(ms / 1000)),
    };
    watch.watch(`/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`, query, (type, object: V1Job & { code?: number }) => {
      // The field selector may not be honoured everywhere; the name check costs nothing.
      if (type === 'ERROR') return finish({ kind: 'ended', failed: true });
      if (object?.metadata?.name !== name) return;
      if (type === 'DELETED') return finish({ kind: 'deleted' });
      if (jobOutcome(object)) finish({ kind: 'finished', job: object });
    }, (error: unknown) => finish({ kind: 'ended', failed: Boolean(error) }))
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      }, () => finish({ kind: 'ended', failed: true }));
  });
}
