/**
 * Waits for a staging Job through the shared Job cache (issue 12): no watch and no read
 * of its own, the cache's events wake it. A cache can lag or miss: the Job is only taken
 * as deleted once the cache had it and then lost it (a delete event, or a relist without
 * it), and a Job the cache has not shown within `unseenMs` of its creation is waited for
 * through the API instead (wait-for-job.ts), as is every Job while the cache is not synced.
 */
import type { KubeConfig, V1Job } from '@kubernetes/client-node';
import type { WaitableCache, CachedJob } from '../../cache/runtime-caches.ts';
import { createCacheNap } from '../../cache/cache-nap.ts';
import { jobOutcome } from './job-outcome.ts';
import { waitForJob, type JobWait, type WaitForJobOptions } from './wait-for-job.ts';

/** Options of {@link waitForCachedJob}. */
export interface WaitForCachedJobOptions extends WaitForJobOptions {
  /** Fall back to the API when the cache has not shown the Job this long (default 10 s). */
  unseenMs?: number;
}

/** Waits until Job `namespace/name` is finished or deleted, or the time is up. */
export async function waitForCachedJob(kc: KubeConfig, jobs: WaitableCache<CachedJob>, namespace: string, name: string, options: WaitForCachedJobOptions): Promise<JobWait> {
  const { signal } = options;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const unseenMs = options.unseenMs ?? 10_000;
  if (!jobs.watch.synced) return waitForJob(kc, namespace, name, options);
  let seen = false;
  const nap = createCacheNap(signal);
  const unsubscribe = jobs.waiters.subscribe(namespace, name, nap.wake);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const job = jobs.watch.get(namespace, name);
      if (job) {
        seen = true;
        if (jobOutcome(job as V1Job)) return { kind: 'finished', job: job as V1Job };
      } else if (seen) {
        return { kind: 'deleted' };
      }
      const now = Date.now();
      if (now >= deadline) return { kind: 'timeout' };
      if (!seen && now - started >= unseenMs) return waitForJob(kc, namespace, name, { ...options, timeoutMs: deadline - now });
      await nap.sleep(seen ? deadline - now : Math.min(deadline, started + unseenMs) - now);
    }
  } finally {
    unsubscribe();
  }
}
