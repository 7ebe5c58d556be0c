/**
 * One representation of each cached App (issue 12, docs/adr/0008-one-cached-app.md).
 * The App cache keeps each resource in the shape `appFromResource` would give its spec
 * and status (CRD defaults filled in, no `null` members; normalised in place as each
 * list page or watch event is parsed, without managedFields), and the App a listing
 * hands out shares that spec and status instead of holding a deep copy next to the
 * resource: 10,000 Apps were two copies of 10,000 release histories before.
 *
 * Both are read-only: the cache never changes what it holds (a watch event replaces
 * the object), listings are documented as shared, and `updateApp` mutates a
 * structuredClone. The resource keeps what writers need — resourceVersion, uid,
 * generation, labels, annotations, finalizers, owners — for guarded writes.
 */
import type { KubeApp, AppResource, AppResourceMetadata } from './app-resource.ts';
import { appFromResource, appMetadata } from './app-resource.ts';

/** Resources normalised by {@link keepAppResource}: their spec and status may be shared. */
const normalised = new WeakSet<AppResource>();

/**
 * Drops `null` members (the API server may send them; Slipway never writes them) in
 * place, as `pruneEmpty` would copy without them. Parsed JSON holds no `undefined` and
 * no Dates. Arrays with a null are replaced (returned); objects are changed only when
 * one has a null, which is rare, so the parsed objects keep their fast shapes.
 */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    const kept = value.includes(null) ? value.filter((v) => v !== null) : value;
    for (let i = 0; i < kept.length; i += 1) kept[i] = dropNulls(kept[i]);
    return kept;
  }
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    const v = obj[key];
    if (v === null) delete obj[key];
    else if (typeof v === 'object') obj[key] = dropNulls(v);
  }
  return obj;
}

/**
 * What the App cache keeps of a freshly parsed App resource: the resource itself (no
 * copy), with metadata rebuilt without managedFields, the spec with the CRD's defaults
 * and no nulls anywhere. Only for objects nothing else holds (a parsed page or event).
 */
export function keepAppResource<T extends AppResource>(resource: T): T {
  if ('managedFields' in resource.metadata) {
    const { managedFields: _managedFields, ...metadata } = resource.metadata;
    resource.metadata = metadata as AppResourceMetadata;
  }
  const spec = (dropNulls(resource.spec ?? {}) as NonNullable<AppResource['spec']>);
  spec.instances ??= 1;
  spec.env ??= {};
  spec.routes ??= [];
  resource.spec = spec;
  resource.status = dropNulls(resource.status ?? {}) as AppResource['status'];
  normalised.add(resource);
  return resource;
}

/**
 * The App `resource` stands for, sharing the cached spec and status when the resource
 * came through {@link keepAppResource} (read it, never change it); any other resource
 * (an API answer) is converted with copies, as `appFromResource` does.
 */
export function cachedAppView(resource: AppResource): KubeApp {
  if (!normalised.has(resource)) return appFromResource(resource);
  return { metadata: appMetadata(resource.metadata, true), spec: resource.spec as KubeApp['spec'], status: resource.status! };
}
