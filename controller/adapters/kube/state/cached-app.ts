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
 * place, as `pruneEmpty` would copy without them, and keeps one copy of the values an
 * App repeats (`strings`: the first of each met in this resource): the strings of the
 * members in {@link REPEATED} and equal lists of strings. Parsed JSON holds no
 * `undefined` and no Dates. Arrays with a null are replaced (returned); objects are
 * changed only when one has a null, which is rare, so the parsed objects keep their
 * fast shapes.
 *
 * JSON.parse makes a new string for every longer value, and an App repeats many: each
 * run lists the App's routes and URLs, and a run and the release it made name the same
 * image, stage, blob and revision. One copy each took a 10,000-App controller from 340
 * to ~290 MiB (bench/README.md, "Issue 12, round 4"). Strings cannot be changed, so
 * sharing them is invisible to readers.
 */
function dropNulls(value: unknown, strings: Interned): unknown {
  if (Array.isArray(value)) {
    const kept = value.includes(null) ? value.filter((v) => v !== null) : value;
    for (let i = 0; i < kept.length; i += 1) kept[i] = dropNulls(kept[i], strings);
    return sharedList(kept, strings);
  }
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    const v = obj[key];
    if (v === null) delete obj[key];
    else if (typeof v === 'object') obj[key] = dropNulls(v, strings);
    else if (typeof v === 'string' && v.length > SHORT && REPEATED.has(key)) {
      const one = shared(v, strings);
      // Assigning the same string back would still be a store; skip it.
      if (one !== v) obj[key] = one;
    }
  }
  return obj;
}

/** V8 already keeps short strings from JSON.parse as one internalized copy. */
const SHORT = 10;

/**
 * Members whose values an App repeats: a run and the release it made (and the App's
 * current run and release) name the same image, stage, source blob, revision and branch.
 * Others (ids, times, messages) are mostly one of a kind: looking them up would cost
 * start-up time for nothing.
 */
const REPEATED = new Set(['image', 'stageId', 'blobuid', 'revision', 'branch', 'url']);

/**
 * The strings and lists of strings of one resource, by value. Lists of strings are
 * shared too: every run's `routes` and `urls` are usually the App's. Nothing changes a
 * list of an App in place (an App's lists are replaced, never pushed to), which the
 * sharing relies on, in the cache and in a structuredClone of a cached resource.
 */
interface Interned extends Map<string, string> {
  /** Lists of one string, by that string. */
  singles?: Map<string, unknown[]>;
  /** Longer lists, by their JSON. */
  lists?: Map<string, unknown[]>;
}

function sharedList(list: unknown[], strings: Interned): unknown[] {
  if (list.length === 1) {
    const only = list[0];
    if (typeof only !== 'string') return list;
    strings.singles ??= new Map();
    const first = strings.singles.get(only);
    if (first !== undefined) return first;
    strings.singles.set(only, list);
    return list;
  }
  if (list.length === 0 || list.length > 8 || !list.every((v) => typeof v === 'string')) return list;
  const key = JSON.stringify(list);
  strings.lists ??= new Map();
  const first = strings.lists.get(key);
  if (first !== undefined) return first;
  strings.lists.set(key, list);
  return list;
}

function shared(value: string, strings: Interned): string {
  if (value.length <= SHORT) return value;
  const first = strings.get(value);
  if (first !== undefined) return first;
  strings.set(value, value);
  return value;
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
  const strings: Interned = new Map<string, string>();
  const spec = (dropNulls(resource.spec ?? {}, strings) as NonNullable<AppResource['spec']>);
  spec.instances ??= 1;
  spec.env ??= {};
  spec.routes ??= [];
  resource.spec = spec;
  resource.status = dropNulls(resource.status ?? {}, strings) as AppResource['status'];
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
