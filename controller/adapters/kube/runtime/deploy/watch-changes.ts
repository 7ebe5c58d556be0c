/**
 * "Something changed" notifications from Kubernetes watches that outlive the
 * connection: a watch that ends (server timeout, dropped connection, 410 Gone, an
 * error answer) is opened again with backoff until the caller stops it. Callers re-read
 * the state they care about on every notification, so no event needs to be replayed:
 * every reopen starts from now and notifies once, covering what happened in between.
 */
import type { KubeConfig } from '@kubernetes/client-node';
// Deep path: the package index would load client-node's generated API and model catalogue (docs/adr/0005-slim-kubernetes-client.md).
import { Watch } from '@kubernetes/client-node/dist/watch.js';
import type { Logger } from '../../../../../core/ports/logger.ts';

/** A collection to watch: the API path and the query (labelSelector, fieldSelector). */
export interface WatchTarget {
  path: string;
  query: Record<string, string>;
}

/**
 * Watches `targets`, calling `onChange` on every event (with its type, object and the
 * target's index) and every reopen (with none); returns stop.
 */
export function watchChanges(kc: KubeConfig, targets: WatchTarget[], onChange: (event?: { type: string; object: unknown; target: number }) => void, logger: Logger): () => void {
  const watch = new Watch(kc);
  let stopped = false;
  const controllers = new Set<AbortController>();
  const timers = new Set<NodeJS.Timeout>();

  const open = (target: WatchTarget, failures: number): void => {
    if (stopped) return;
    let sawEvent = false;
    let ended = false;
    let controller: AbortController | undefined;
    watch.watch(target.path, target.query, (type: string, object: unknown) => {
      sawEvent = true;
      onChange({ type, object, target: targets.indexOf(target) });
    }, (error: unknown) => {
      ended = true;
      if (controller) controllers.delete(controller);
      if (stopped) return;
      const next = sawEvent || !error ? 0 : failures + 1;
      if (error) logger.debug({ path: target.path, error: String((error as Error)?.message ?? error) }, 'watch ended; reopening');
      const timer = setTimeout(() => {
        timers.delete(timer);
        onChange();
        open(target, next);
      }, Math.min(5_000, next === 0 ? 50 : 100 * 2 ** next));
      timers.add(timer);
    }).then((opened) => {
      controller = opened;
      if (stopped) opened.abort();
      else if (!ended) controllers.add(opened);
    }, () => { /* reported through the done callback */ });
  };

  for (const target of targets) open(target, 0);
  return () => {
    stopped = true;
    for (const controller of controllers) controller.abort();
    for (const timer of timers) clearTimeout(timer);
  };
}
