/** The verbs on one resource: list/watch, get, create, replace, patch (4 types), delete, deletecollection. */
import { applyObject, parseApplyBody } from './apply.ts';
import { isObject, jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { fieldSelector, labelSelector } from './selectors.ts';
import { badRequest, conflict, methodNotAllowed, notFound } from './status.ts';
import { groupVersion, storageKey } from './resources.ts';
import type { Objects } from './objects.ts';
import type { KubeObject, Store } from './store.ts';
import type { Route } from './routes.ts';

/** The parts of a request a handler reads. */
export type ResourceRequest = { method: string; query: URLSearchParams; contentType: string; body: string };

/** A handler's answer: a JSON body with a status code, or `stream` when the handler wrote the response itself. */
export type Answer = { code: number; body: unknown } | { stream: true };

function parseJson(text: string): KubeObject {
  try {
    const v = JSON.parse(text) as unknown;
    if (!isObject(v) && !Array.isArray(v)) throw new Error('not an object');
    return v as KubeObject;
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format: ${(e as Error).message}`);
  }
}

/** Serve one resource request (watches and logs are delegated through `stream`). */
export function handleResource(
  deps: { store: Store; objects: Objects; stream: (kind: 'watch' | 'log', route: Extract<Route, { type: 'resource' }>) => void; paging?: boolean },
  route: Extract<Route, { type: 'resource' }>, req: ResourceRequest,
): Answer {
  const { objects, store } = deps;
  const { r, ns, name, subresource } = route;
  const who = { group: r.group, kind: r.kind, plural: r.plural, name };
  const manager = req.query.get('fieldManager') ?? undefined;
  if (subresource && subresource !== 'status' && !(subresource === 'log' && r.extraSubresources.includes('log'))) throw notFound(who);
  if (subresource === 'status' && !r.status) throw notFound(who);

  switch (req.method) {
    case 'GET': {
      if (subresource === 'log') {
        deps.stream('log', route);
        return { stream: true };
      }
      if (route.watchPath || req.query.get('watch') === 'true' || req.query.get('watch') === '1') {
        deps.stream('watch', route);
        return { stream: true };
      }
      if (name) return { code: 200, body: objects.get(r, ns, name) };
      const byLabel = labelSelector(req.query.get('labelSelector') ?? undefined);
      const byField = fieldSelector(req.query.get('fieldSelector') ?? undefined);
      const limit = Number(req.query.get('limit') ?? 0);
      if (deps.paging && limit > 0) return listPage(store, route, req.query, (o) => byLabel(o) && byField(o), limit);
      // Not copied: the answer is serialised before anything can change the store (server.ts).
      const items = store.view(storageKey(r), r.namespaced ? ns : undefined, (o) => byLabel(o) && byField(o))
        .map((o) => ({ ...o, apiVersion: groupVersion(r), kind: r.kind }));
      return { code: 200, body: { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: { resourceVersion: String(store.currentRv()) }, items } };
    }
    case 'POST': {
      if (name) throw methodNotAllowed('POST is not supported on a named resource');
      const body = parseJson(req.body);
      if (body.metadata?.namespace && ns && body.metadata.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      return { code: 201, body: objects.create(r, ns, body, { fieldManager: manager }) };
    }
    case 'PUT': {
      if (!name) throw methodNotAllowed('PUT needs a name');
      const body = parseJson(req.body);
      if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
      return { code: 200, body: objects.replace(r, ns, name, body, { subresource, fieldManager: manager }) };
    }
    case 'PATCH': {
      if (!name) throw methodNotAllowed('PATCH needs a name');
      const type = req.contentType.split(';')[0]!.trim();
      if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') {
        if (!manager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
        const applied = parseApplyBody(req.body);
        if (applied.kind !== r.kind || applied.apiVersion !== groupVersion(r)) {
          throw badRequest(`apply body has apiVersion ${String(applied.apiVersion)} kind ${String(applied.kind)}, the request is for ${groupVersion(r)} ${r.kind}`);
        }
        const live = store.get(storageKey(r), r.namespaced ? ns : undefined, name);
        const sentRv = applied.metadata?.resourceVersion;
        if (live && sentRv && sentRv !== live.metadata.resourceVersion) throw conflict(who);
        const force = req.query.get('force') === 'true';
        const result = applyObject(live, applied, { manager, force, apiVersion: groupVersion(r), subresource, who });
        result.metadata.name = name;
        if (!live) {
          if (subresource) throw notFound(who);
          return { code: 201, body: objects.create(r, ns, result, { operation: 'Apply' }) };
        }
        return { code: 200, body: objects.replace(r, ns, name, result, { subresource, operation: 'Apply' }) };
      }
      const live = objects.get(r, ns, name);
      const patch = type === 'application/json-patch+json' ? (JSON.parse(req.body) as unknown) : parseJson(req.body);
      let next: unknown;
      if (type === 'application/merge-patch+json') next = mergePatch(live, patch);
      else if (type === 'application/strategic-merge-patch+json') next = strategicMergePatch(live, patch);
      else if (type === 'application/json-patch+json') next = jsonPatch(live, patch);
      else {
        const e = badRequest(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
        e.status.code = 415;
        e.status.reason = 'UnsupportedMediaType';
        throw e;
      }
      if (!isObject(next)) throw badRequest('patch result is not an object');
      return { code: 200, body: objects.replace(r, ns, name, next as KubeObject, { subresource, fieldManager: manager }) };
    }
    case 'DELETE': {
      if (!name) {
        const byLabel = labelSelector(req.query.get('labelSelector') ?? undefined);
        const byField = fieldSelector(req.query.get('fieldSelector') ?? undefined);
        const items = store.list(storageKey(r), r.namespaced ? ns : undefined, (o) => byLabel(o) && byField(o));
        for (const o of items) objects.remove(r, o.metadata.namespace, o.metadata.name!);
        return { code: 200, body: { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: { resourceVersion: String(store.currentRv()) }, items } };
      }
      const removed = objects.remove(r, ns, name);
      return {
        code: 200,
        body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: r.group, kind: r.plural, uid: removed.metadata.uid } },
      };
    }
    default:
      throw methodNotAllowed(`method ${req.method} not allowed`);
  }
}

/**
 * A list page (`limit` + `continue`, with the fake's `paging` option): the objects after
 * the token's last name, the resourceVersion of the first page on every page (the
 * watch that follows replays what changed since), `continue` while more follow.
 * Unlike kube-apiserver, later pages show the objects as they are now, not as of the
 * first page, and tokens never expire.
 */
function listPage(store: Store, route: Extract<Route, { type: 'resource' }>, query: URLSearchParams, keep: (o: KubeObject) => boolean, limit: number): Answer {
  const { r, ns } = route;
  const token = query.get('continue');
  let from = { rv: String(store.currentRv()), after: '' };
  if (token) {
    try {
      from = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof from;
    } catch {
      throw badRequest('continue key is not valid');
    }
  }
  const page = store.page(storageKey(r), r.namespaced ? ns : undefined, keep, from.after, limit);
  const items = page.items.map((o) => ({ ...o, apiVersion: groupVersion(r), kind: r.kind }));
  const last = items.at(-1)?.metadata;
  const metadata: Record<string, unknown> = { resourceVersion: from.rv };
  if (page.remaining > 0 && last) {
    metadata.continue = Buffer.from(JSON.stringify({ rv: from.rv, after: `${last.namespace ?? ''}/${last.name}` })).toString('base64url');
    metadata.remainingItemCount = page.remaining;
  }
  return { code: 200, body: { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata, items } };
}
