/** Create, read, replace and delete with kube-apiserver's bookkeeping: uid, resourceVersion, generation, status. */
import { cloneJson } from './json-clone.ts';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { alreadyExists, conflict, invalid, notFound } from './status.ts';
import { groupVersion, storageKey, type ResourceInfo, type ResourceTable } from './resources.ts';
import type { KubeObject, Store } from './store.ts';
import { recordUpdate } from './managed-fields.ts';
import { applyDefaults } from './defaults.ts';

/** Checks an object about to be stored (`old`: the stored one it replaces); returns the offending fields (empty when valid). */
export type Validator = (r: ResourceInfo, object: KubeObject, old?: KubeObject) => { field: string; message: string; reason?: string }[];

/** Options of one write. */
export type WriteOptions = { subresource?: string; fieldManager?: string; operation?: 'Update' | 'Apply' };

/** The storage operations behind the HTTP verbs (and the controllers' writes). */
export type Objects = ReturnType<typeof createObjects>;

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters as kube-apiserver appends to generateName. */
export function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

function specOf(o: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/** Create the operations over `store`. `validate` runs on every object written through them. */
export function createObjects(deps: { store: Store; table: ResourceTable; validate: Validator; onReject: (path: string, reason: string) => void }) {
  const { store } = deps;
  const who = (r: ResourceInfo, name?: string) => ({ group: r.group, kind: r.kind, plural: r.plural, name });

  const requireNamespace = (r: ResourceInfo, ns: string | undefined): void => {
    if (!r.namespaced) return;
    if (!ns || !store.get('/namespaces', undefined, ns)) throw notFound({ group: '', kind: 'Namespace', plural: 'namespaces', name: ns });
  };

  const check = (r: ResourceInfo, o: KubeObject, old?: KubeObject): void => {
    const causes = deps.validate(r, o, old);
    if (causes.length === 0) return;
    const path = `/${r.group ? 'apis/' + groupVersion(r) : 'api/v1'}/${r.namespaced ? `namespaces/${o.metadata.namespace}/` : ''}${r.plural}/${o.metadata.name ?? ''}`;
    deps.onReject(path, causes.map((c) => `${c.field}: ${c.message}`).join('; '));
    throw invalid(who(r, o.metadata.name), causes);
  };

  return {
    get(r: ResourceInfo, ns: string | undefined, name: string): KubeObject {
      const o = store.get(storageKey(r), r.namespaced ? ns : undefined, name);
      if (!o) throw notFound(who(r, name));
      o.apiVersion = groupVersion(r);
      return o;
    },

    create(r: ResourceInfo, ns: string | undefined, body: KubeObject, opts: WriteOptions = {}): KubeObject {
      const o = cloneJson(body);
      o.metadata = { ...(o.metadata ?? {}) };
      if (r.namespaced) o.metadata.namespace = ns ?? o.metadata.namespace;
      else delete o.metadata.namespace;
      requireNamespace(r, o.metadata.namespace);
      // kube-apiserver's SimpleNameGenerator keeps a generated name within 63 characters.
      if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName.slice(0, 58) + randomSuffix();
      if (!o.metadata.name) throw invalid(who(r), [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
      if (store.has(storageKey(r), o.metadata.namespace, o.metadata.name)) throw alreadyExists(who(r, o.metadata.name));
      o.apiVersion = groupVersion(r);
      o.kind = r.kind;
      o.metadata.uid = randomUUID();
      o.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      delete o.metadata.resourceVersion;
      if (r.generation) o.metadata.generation = 1;
      if (r.status) delete o.status;
      if (r.kind === 'Namespace' && !r.group) o.status = { phase: 'Active' };
      applyDefaults(r, o);
      if (opts.operation !== 'Apply') delete o.metadata.managedFields;
      if (opts.operation !== 'Apply') recordUpdate(undefined, o, opts.fieldManager ?? 'unknown', o.apiVersion);
      check(r, o);
      return store.put(storageKey(r), o);
    },

    /** PUT: replace the object (or only its status with subresource 'status'). */
    replace(r: ResourceInfo, ns: string | undefined, name: string, body: KubeObject, opts: WriteOptions = {}): KubeObject {
      const old = store.get(storageKey(r), r.namespaced ? ns : undefined, name);
      if (!old) throw notFound(who(r, name));
      const sent = body.metadata?.resourceVersion;
      if (sent && sent !== old.metadata.resourceVersion) throw conflict(who(r, name));
      let next: KubeObject;
      if (opts.subresource === 'status') {
        next = { ...old, status: cloneJson(body.status) };
        if (body.status === undefined) delete next.status;
      } else {
        next = cloneJson(body);
        next.metadata = { ...(body.metadata ?? {}) };
        const kept = ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', ...(opts.operation === 'Apply' ? [] : ['managedFields'])];
        for (const k of kept) {
          if (old.metadata[k] === undefined) delete next.metadata[k];
          else next.metadata[k] = old.metadata[k];
        }
        if (r.status) {
          if (old.status === undefined) delete next.status;
          else next.status = old.status;
        }
      }
      next.apiVersion = groupVersion(r);
      next.kind = r.kind;
      next.metadata.name = name;
      if (r.namespaced) next.metadata.namespace = old.metadata.namespace;
      else delete next.metadata.namespace;
      next.metadata.resourceVersion = old.metadata.resourceVersion;
      applyDefaults(r, next);
      if (r.generation && !isDeepStrictEqual(specOf(old), specOf(next))) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
      if (opts.operation !== 'Apply') recordUpdate(old, next, opts.fieldManager ?? 'unknown', next.apiVersion, opts.subresource);
      if (isDeepStrictEqual(old, next)) return { ...old, apiVersion: groupVersion(r) };
      check(r, next, old);
      return store.put(storageKey(r), next);
    },

    /** DELETE: remove the object, its dependents (ownerReferences) and, for a namespace, everything in it. */
    remove(r: ResourceInfo, ns: string | undefined, name: string): KubeObject {
      const o = store.get(storageKey(r), r.namespaced ? ns : undefined, name);
      if (!o) throw notFound(who(r, name));
      if (r.kind === 'Namespace' && !r.group) {
        for (const key of store.keys()) for (const x of store.list(key, name)) removeCascade(key, x);
      }
      removeCascade(storageKey(r), o);
      return o;
    },
  };

  function removeCascade(key: string, o: KubeObject): void {
    if (!store.remove(key, o.metadata.namespace, o.metadata.name!)) return;
    const uid = o.metadata.uid;
    for (const k of store.keys()) {
      for (const dep of store.list(k, undefined, (x) => x.metadata.ownerReferences?.some((ref) => ref.uid === uid) ?? false)) removeCascade(k, dep);
    }
  }
}
