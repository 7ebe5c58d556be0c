/**
 * Names Slipway writes onto Kubernetes objects, in one place so every part (state
 * store, stage Jobs, Deployments, the reconciler's selectors) agrees on them.
 */

/** The App custom resource. */
export const APP_GROUP = 'slipway.dev';
export const APP_VERSION = 'v1alpha1';
export const APP_API_VERSION = `${APP_GROUP}/${APP_VERSION}`;
export const APP_KIND = 'App';
export const APP_PLURAL = 'apps';

/** Field manager of every server-side apply and write Slipway makes. */
export const FIELD_MANAGER = 'slipway';

/** Labels. `managed-by` marks everything Slipway made; the rest say for which app and stage. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  app: 'slipway.dev/app',
  stageId: 'slipway.dev/stage-id',
  blobuid: 'slipway.dev/blobuid',
  /** On Kubernetes namespaces that are Slipway namespaces. */
  namespace: 'slipway.dev/namespace',
} as const;

/** Value of `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = 'slipway';

/** Labels of the objects Slipway makes for one app. */
export function appLabels(app: string, component: 'stage' | 'app' | 'cache' | 'secret'): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, [LABELS.name]: app, [LABELS.app]: app, [LABELS.component]: component };
}
