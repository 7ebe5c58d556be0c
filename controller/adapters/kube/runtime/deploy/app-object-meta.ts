/**
 * Metadata shared by every object a deploy writes: the app's labels (Slipway deletes
 * and lists by them) and the owner reference to the App, so Kubernetes' garbage
 * collector removes them with the App even when Slipway is not running.
 */
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { LABELS, appLabels } from '../../labels.ts';

/** `metadata` of an object named `name` that belongs to `app`. */
export function appObjectMeta(namespace: string, name: string, app: string, owner?: V1OwnerReference, annotations?: Record<string, string>): V1ObjectMeta {
  return {
    name,
    namespace,
    labels: appLabels(app, 'app'),
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(owner ? { ownerReferences: [owner] } : {}),
  };
}

/**
 * Label selector of the app's pods. It names the component too: stage Job pods carry
 * `slipway.dev/app` as well, and a Service selecting on the app alone would send
 * traffic to a running build.
 */
export function appPodSelector(app: string): Record<string, string> {
  return { [LABELS.app]: app, [LABELS.component]: 'app' };
}

/** {@link appPodSelector} as a `labelSelector` query string. */
export function appPodSelectorString(app: string): string {
  return Object.entries(appPodSelector(app)).map(([k, v]) => `${k}=${v}`).join(',');
}
