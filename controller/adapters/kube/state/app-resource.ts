/**
 * The pure mapping between Slipway's `App` and the `apps.slipway.dev` custom resource.
 * Both have the same shape (core/types.ts was made so); what differs is bookkeeping:
 * Kubernetes' `creationTimestamp` is our `createdAt`, an App applied with kubectl may
 * omit fields the CRD defaults, and Kubernetes refuses `null` where a schema says
 * `string`, so no `undefined` (which JSON would drop or turn into null in arrays) is
 * ever sent.
 */
import type { App, AppSpec, AppStatus } from '../../../../core/types.ts';
import { APP_API_VERSION, APP_KIND } from '../labels.ts';

/** Metadata of the App resource, as far as Slipway reads or keeps it. */
export interface AppResourceMetadata {
  name: string;
  namespace: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | Date;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Everything else (finalizers, ownerReferences, managedFields, …) is carried through untouched. */
  [field: string]: unknown;
}

/** The App custom resource as it travels to and from the API server. */
export interface AppResource {
  apiVersion: string;
  kind: string;
  metadata: AppResourceMetadata;
  spec?: Partial<AppSpec>;
  status?: AppStatus;
}

/** An App read from the cluster: its metadata also carries the resource's labels and annotations (when it has any). */
export type KubeApp = App & { metadata: App['metadata'] & { labels?: Record<string, string>; annotations?: Record<string, string> } };

/**
 * A deep copy of `value` without `undefined` or `null` members: the API server
 * refuses `null` for typed fields, and equality checks must not see a difference
 * between a missing key and an undefined one.
 */
export function pruneEmpty<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined && v !== null).map((v) => pruneEmpty(v)) as T;
  if (value instanceof Date) return value.toISOString() as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined && v !== null) out[key] = pruneEmpty(v);
  }
  return out as T;
}

const timestamp = (value: string | Date | undefined): string =>
  value instanceof Date ? value.toISOString() : value ?? '';

/**
 * The spec with the defaults the CRD declares (instances 1, no env, no routes), so an
 * App applied with only some fields reads like one Slipway created.
 */
export function specWithDefaults(spec: Partial<AppSpec> | undefined): AppSpec {
  const given = pruneEmpty(spec ?? {});
  return { ...given, instances: given.instances ?? 1, env: given.env ?? {}, routes: given.routes ?? [] };
}

/**
 * `metadata` without `managedFields`, shallowly: omitted managedFields are left as they
 * are by the API server (sent back, they could only go stale). No deep copy here, as
 * `pruneEmpty` copies what is written; the cached resource is never changed.
 */
function withoutManagedFields(metadata: AppResourceMetadata): AppResourceMetadata {
  const { managedFields: _managedFields, ...rest } = metadata;
  return rest as AppResourceMetadata;
}

/**
 * An App's metadata from its resource's; labels and annotations are copied, or with
 * `share` handed over as they are (a cached resource nobody changes).
 */
export function appMetadata(metadata: AppResourceMetadata, share = false): KubeApp['metadata'] {
  const out: KubeApp['metadata'] = {
    namespace: metadata.namespace,
    name: metadata.name,
    resourceVersion: metadata.resourceVersion ?? '',
    generation: metadata.generation ?? 1,
    createdAt: timestamp(metadata.creationTimestamp),
  };
  if (metadata.labels && Object.keys(metadata.labels).length > 0) out.labels = share ? metadata.labels : { ...metadata.labels };
  if (metadata.annotations && Object.keys(metadata.annotations).length > 0) out.annotations = share ? metadata.annotations : { ...metadata.annotations };
  return out;
}

/** The App a resource read from the cluster stands for. */
export function appFromResource(resource: AppResource): KubeApp {
  return {
    metadata: appMetadata(resource.metadata),
    spec: specWithDefaults(resource.spec),
    status: pruneEmpty(resource.status ?? {}),
  };
}

/**
 * The resource to write for `app`. With `base` (the resource as last read) every
 * field other tools set — finalizers, owner references, labels and annotations not
 * changed through `app` — is kept, and `resourceVersion` makes the write conditional.
 * `status` is left out: it is written through the `/status` subresource only.
 */
export function appToResource(app: KubeApp, base?: AppResource): AppResource {
  const metadata: AppResourceMetadata = base
    ? { ...withoutManagedFields(base.metadata), namespace: app.metadata.namespace, name: app.metadata.name }
    : { namespace: app.metadata.namespace, name: app.metadata.name };
  // A mutation that rebuilt metadata without labels must not wipe what other tools set:
  // labels and annotations are replaced only when the app carries them.
  if (app.metadata.labels !== undefined) metadata.labels = { ...app.metadata.labels };
  if (app.metadata.annotations !== undefined) metadata.annotations = { ...app.metadata.annotations };
  return pruneEmpty({ apiVersion: APP_API_VERSION, kind: APP_KIND, metadata, spec: app.spec });
}

/** The body of a `/status` write: the resource as last read (its resourceVersion makes the write conditional) with `status`. */
export function statusResource(base: AppResource, status: AppStatus): AppResource {
  return pruneEmpty({ apiVersion: APP_API_VERSION, kind: APP_KIND, metadata: withoutManagedFields(base.metadata), spec: base.spec, status });
}
