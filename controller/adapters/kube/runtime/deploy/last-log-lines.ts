/**
 * The last lines a container wrote, for the error of a failed rollout. A crash-looping
 * container's useful output is in its previous instance (the current one is waiting to
 * restart), so that is read first.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';

/** Lines of a failed container's output kept in a deploy error. */
export const CRASH_LOG_LINES = 20;

/** The last {@link CRASH_LOG_LINES} lines of `container` in `pod`; empty when there are none or they cannot be read. */
export async function lastLogLines(kc: KubeConfig, namespace: string, pod: string, container: string, previousFirst: boolean): Promise<string[]> {
  for (const previous of previousFirst ? [true, false] : [false]) {
    try {
      const text = await kubeRequest<string>(kc, {
        method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'pods', name: pod, subresource: 'log' }),
        query: { container, previous, tailLines: CRASH_LOG_LINES }, responseType: 'text',
      });
      const lines = String(text ?? '').split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
      if (lines.length > 0) return lines.slice(-CRASH_LOG_LINES);
    } catch {
      // No previous instance (400) or no pod any more: try the current one, else no lines.
    }
  }
  return [];
}
