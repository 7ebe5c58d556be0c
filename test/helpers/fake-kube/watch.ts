/** Watch streams: replay from a resourceVersion, live events, bookmarks, timeouts, 410 after compaction. */
import type { ServerResponse } from 'node:http';
import { expired } from './status.ts';
import { fieldSelector, labelSelector } from './selectors.ts';
import { groupVersion, storageKey, type ResourceInfo } from './resources.ts';
import type { KubeObject, Store, StoreEvent } from './store.ts';

/** What to watch. */
export type WatchRequest = { r: ResourceInfo; ns?: string; name?: string; query: URLSearchParams };

/** The open watch streams, so faults can end them. */
export type WatchRegistry = { open: Set<() => void>; dropAll(): void };

/** An empty registry. */
export function createWatchRegistry(): WatchRegistry {
  const open = new Set<() => void>();
  return { open, dropAll: () => { for (const end of [...open]) end(); } };
}

/** Serve one watch on `res` until the client leaves, the timeout passes or a fault drops it. */
export function serveWatch(store: Store, registry: WatchRegistry, req: WatchRequest, res: ServerResponse): void {
  const { r, ns, query } = req;
  const key = storageKey(r);
  const byLabel = labelSelector(query.get('labelSelector') ?? undefined);
  const byField = fieldSelector(query.get('fieldSelector') ?? undefined);
  const matches = (o: KubeObject) =>
    (ns === undefined || o.metadata.namespace === ns) && (req.name === undefined || o.metadata.name === req.name) && byLabel(o) && byField(o);

  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
  // Headers now, as kube-apiserver does: client-node's watch waits for them before it sees the stream end.
  res.flushHeaders();
  const send = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + '\n');
  const sendEvent = (e: StoreEvent) => {
    if (e.key !== key || !matches(e.object)) return;
    send(e.type, { ...e.object, apiVersion: groupVersion(r) });
  };

  const from = query.get('resourceVersion');
  if (!from || from === '0') {
    for (const o of store.list(key, ns, matches)) send('ADDED', { ...o, apiVersion: groupVersion(r) });
  } else {
    const replay = store.since(Number(from));
    if (!replay) {
      send('ERROR', expired(from).status);
      res.end();
      return;
    }
    for (const e of replay) sendEvent(e);
  }

  const timers: NodeJS.Timeout[] = [];
  const end = () => {
    unsubscribe();
    registry.open.delete(end);
    for (const t of timers) clearTimeout(t);
    if (!res.writableEnded) res.end();
  };
  const unsubscribe = store.subscribe(sendEvent);
  registry.open.add(end);
  res.on('close', end);
  const timeout = Number(query.get('timeoutSeconds') ?? 0);
  if (timeout > 0) timers.push(setTimeout(end, timeout * 1000));
  if (query.get('allowWatchBookmarks') === 'true') {
    const bookmark = setInterval(() => send('BOOKMARK', { kind: r.kind, apiVersion: groupVersion(r), metadata: { resourceVersion: String(store.currentRv()) } }), 5000);
    timers.push(bookmark);
  }
}
