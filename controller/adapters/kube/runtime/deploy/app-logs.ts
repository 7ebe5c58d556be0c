/**
 * An app's log: the `app` container of each of its pods, merged, `source` = pod name.
 * Without follow, each pod's lines (the last `tail` per pod) in pod age order. With
 * follow, every pod is followed at once, and pods that appear later (a rollout, a
 * restart) are followed from their first line, until the signal aborts or the reader
 * stops. A pod whose container is not running yet is retried when the pods change.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import type { Logger } from '../../../../../core/ports/logger.ts';
import type { LogLine, LogOptions } from '../../../../../core/ports/runtime.ts';
import { isPodLogUnavailable, streamPodLogs } from '../pod-logs.ts';
import { appPodSelectorString } from './app-object-meta.ts';
import { APP_CONTAINER } from './build-deployment.ts';
import { kubeCall } from './kube-call.ts';
import { createLineQueue } from './line-queue.ts';
import { watchChanges } from './watch-changes.ts';

/** Look at the pods this often even when no watch event came. */
const RESCAN_MS = 2_000;

/** Options of {@link appLogs}. */
export interface AppLogsOptions extends LogOptions {
  kc: KubeConfig;
  logger: Logger;
}

const byAge = (a: V1Pod, b: V1Pod) =>
  String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')) || String(a.metadata?.name).localeCompare(String(b.metadata?.name));

/** The log of `namespace/app` (see the file comment). */
export async function* appLogs(namespace: string, app: string, options: AppLogsOptions): AsyncIterable<LogLine> {
  const { kc } = options;
  const labelSelector = appPodSelectorString(app);
  const listPods = async (signal?: AbortSignal) =>
    (await kubeCall(`listing the pods of ${namespace}/${app}`, () => kubeRequest<{ items: V1Pod[] }>(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'pods' }), query: { labelSelector }, signal }), { signal })).items
      .filter((pod) => pod.metadata?.name && !pod.metadata.deletionTimestamp).sort(byAge);

  if (!options.follow) {
    for (const pod of await listPods(options.signal)) {
      try {
        yield* streamPodLogs(kc, namespace, pod.metadata!.name!, APP_CONTAINER, { follow: false, tail: options.tail, signal: options.signal, source: pod.metadata!.name! });
      } catch (error) {
        if (!isPodLogUnavailable(error)) throw error;
      }
    }
    return;
  }

  const local = new AbortController();
  const signal = local.signal;
  const stopOuter = () => local.abort();
  options.signal?.addEventListener('abort', stopOuter, { once: true });
  if (options.signal?.aborted) local.abort();
  const queue = createLineQueue();
  signal.addEventListener('abort', () => queue.close(), { once: true });
  const followers = new Map<string, { poke: () => void }>();
  let first = true;

  /** Follows one pod until it is gone or we stop; `tail` only for pods there at the start. */
  const follow = (name: string, tail: number | undefined) => {
    let poke = () => {};
    followers.set(name, { poke: () => poke() });
    void (async () => {
      let offset = tail;
      while (!signal.aborted && followers.has(name)) {
        try {
          for await (const line of streamPodLogs(kc, namespace, name, APP_CONTAINER, { follow: true, tail: offset, signal, source: name })) await queue.push(line);
          // The container ended (or the connection broke): only lines written from now on are new.
          offset = 0;
        } catch (error) {
          if (signal.aborted) return;
          if (!isPodLogUnavailable(error)) options.logger.debug({ pod: name, err: (error as Error).message }, 'pod log ended; retrying');
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RESCAN_MS);
          poke = () => { clearTimeout(timer); resolve(); };
          signal.addEventListener('abort', poke, { once: true });
        });
        poke = () => {};
      }
    })();
  };

  const rescan = async () => {
    try {
      const pods = await listPods(signal);
      const names = new Set(pods.map((pod) => pod.metadata!.name!));
      for (const [name, follower] of followers) if (!names.has(name)) { followers.delete(name); follower.poke(); }
      for (const name of names) {
        if (!followers.has(name)) follow(name, first ? options.tail : undefined);
        else followers.get(name)!.poke();
      }
      first = false;
    } catch (error) {
      if (!signal.aborted) options.logger.debug({ app, err: (error as Error).message }, 'listing pods for logs failed; retrying');
    }
  };

  let scanning: Promise<void> | undefined;
  let again = false;
  const scan = () => {
    if (scanning) { again = true; return; }
    scanning = rescan().finally(() => {
      scanning = undefined;
      if (again && !signal.aborted) { again = false; scan(); }
    });
  };
  const stopWatch = watchChanges(kc, [{ path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector } }], scan, options.logger);
  const backstop = setInterval(scan, RESCAN_MS * 5);
  try {
    scan();
    yield* queue.lines();
  } finally {
    clearInterval(backstop);
    stopWatch();
    options.signal?.removeEventListener('abort', stopOuter);
    local.abort();
  }
}
