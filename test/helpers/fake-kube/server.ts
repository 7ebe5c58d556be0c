/** The HTTP server: records requests, injects faults, routes to discovery, resources, watches and logs. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import * as discovery from './discovery.ts';
import { handleResource } from './resource-handler.ts';
import { parseRoute } from './routes.ts';
import { KubeError, notFound, statusFor } from './status.ts';
import { toTable } from './table.ts';
import { serveWatch, type WatchRegistry } from './watch.ts';
import type { createFaults, RecordedRequest } from './faults.ts';
import type { Logs } from './logs.ts';
import type { Objects } from './objects.ts';
import type { ResourceTable } from './resources.ts';
import type { Store } from './store.ts';

/** Everything the server serves from. */
export type ServerDeps = {
  store: Store;
  table: ResourceTable;
  objects: Objects;
  logs: Logs;
  watches: WatchRegistry;
  faults: ReturnType<typeof createFaults>;
  requests: RecordedRequest[];
  /** Honour `limit` and `continue` on lists (see FakeKubeOptions.paging). */
  paging?: boolean;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Create (not yet listening) the HTTP server. */
export function createKubeServer(deps: ServerDeps): Server {
  const { table, store } = deps;
  return createServer((req, res) => {
    void serve(req, res).catch((e: unknown) => {
      const status = e instanceof KubeError ? e.status : statusFor(500, `fake-kube: ${(e as Error).stack ?? String(e)}`).status;
      if (res.headersSent) res.end();
      else sendJson(res, status.code, status);
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-kube');
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'] ?? '';
    const record: RecordedRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), contentType };
    const manager = url.searchParams.get('fieldManager');
    if (manager) record.fieldManager = manager;
    if (body) {
      try {
        record.body = JSON.parse(body);
      } catch {
        record.body = body;
      }
    }
    deps.requests.push(record);
    const delay = deps.faults.delay();
    if (delay > 0) await sleep(delay);
    deps.faults.check(record);

    const route = parseRoute(url.pathname, table);
    if (route.type === 'unknown') throw notFound({ group: '', kind: '', plural: '', name: url.pathname });
    if (route.type === 'discovery') {
      const doc = route.doc === 'version' ? discovery.version()
        : route.doc === 'api' ? discovery.coreVersions(req.headers.host ?? '127.0.0.1')
        : route.doc === 'apis' ? discovery.groupList(table)
        : route.doc === 'group' ? discovery.group(table, route.group)
        : discovery.resourceList(table, route.group, route.version);
      if (doc === undefined) throw notFound({ group: route.group, kind: '', plural: '', name: route.version });
      sendJson(res, 200, doc);
      return;
    }
    const answer = handleResource({
      store, objects: deps.objects, paging: deps.paging,
      stream: (kind, r) => {
        if (kind === 'watch') serveWatch(store, deps.watches, { r: r.r, ns: r.ns, name: r.name, query: url.searchParams }, res);
        else deps.logs.serve(r.ns ?? '', r.name ?? '', url.searchParams, res);
      },
    }, route, { method, query: url.searchParams, contentType, body });
    if ('stream' in answer) return;
    const accept = req.headers.accept ?? '';
    const wantsTable = method === 'GET' && /as=Table/.test(accept);
    sendJson(res, answer.code, wantsTable ? toTable(route.r, answer.body) : answer.body);
  }
}
