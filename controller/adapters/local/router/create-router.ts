/**
 * The local runtime's router: requests for an app's host (`web.localhost:8080`) go to
 * the app, on the same port as the API; everything else is left to the API.
 *
 * Switching a route is atomic per request: a request is bound to the target it matched
 * when it arrived and finishes there, and `drain(oldTarget)` resolves once none is
 * left, so the caller stops the old release only then. That is how no request is
 * dropped during a deploy.
 */
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LogSink } from '../../../../core/ports/runtime.ts';
import { hostName } from './parse-host.ts';
import { sendProblem, socketProblem } from './problem.ts';
import { proxyRequest } from './proxy-request.ts';
import { proxyUpgrade } from './proxy-upgrade.ts';
import { createRouteTable } from './route-table.ts';
import { serveStatic, splitQuery } from './serve-static.ts';

/** Where a route leads: the ready instances of a release, or a folder of files. */
export type RouteTarget =
  | { kind: 'proxy'; backends: () => { port: number }[] }
  | { kind: 'static'; root: string; fallback?: string };

/** Settings of {@link createRouter}. */
export interface RouterOptions {
  /** `SLIPWAY_SYSTEM_DOMAIN`: hosts below it belong to the router even without a route (404), the bare domain to the API. */
  systemDomain: string;
  /** Where the router notes failures (a `system` line per failed proxy). */
  log?: LogSink;
}

/** The router; see the module comment. */
export interface Router {
  /** Answers the request and returns true when its host is routed (or under the system domain); false leaves it to the API. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** The same for upgrade requests (websockets). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Points `host[/path]` (case-insensitive, port ignored) at `owner`'s target; requests in
   * flight stay on the old one. A route another owner holds stays with it until it lets go.
   */
  setRoute(route: string, target: RouteTarget, owner?: string): void;
  /** Drops `owner`'s claim; the route goes back to an earlier claimant, if any. */
  removeRoute(route: string, owner?: string): void;
  /** Resolves once no request or websocket that matched `target` is in flight, or after `timeoutMs` (default: no limit). */
  drain(target: RouteTarget, options?: { timeoutMs?: number }): Promise<void>;
  /** Closes the idle keep-alive connections to apps. */
  close(): void;
}

/** Creates a router with no routes. */
export function createRouter(options: RouterOptions): Router {
  const systemDomain = hostName(options.systemDomain) ?? 'localhost';
  const table = createRouteTable<RouteTarget>();
  // Keep-alive to the apps: a new TCP connection per request costs more than the proxying.
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
  const inFlight = new Map<RouteTarget, number>();
  const waiters = new Map<RouteTarget, (() => void)[]>();
  const turns = new WeakMap<RouteTarget, number>();

  const owns = (host: string | undefined) => table.hasHost(host) || (host !== undefined && host.endsWith(`.${systemDomain}`));

  const enter = (target: RouteTarget) => {
    inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const count = (inFlight.get(target) ?? 1) - 1;
      if (count > 0) return void inFlight.set(target, count);
      inFlight.delete(target);
      for (const wake of waiters.get(target) ?? []) wake();
      waiters.delete(target);
    };
  };

  /** Backends in round-robin order: each request starts one further along. */
  const rotation = (target: RouteTarget & { kind: 'proxy' }) => {
    const backends = target.backends();
    const turn = turns.get(target) ?? 0;
    turns.set(target, turn + 1);
    const start = backends.length ? turn % backends.length : 0;
    return [...backends.slice(start), ...backends.slice(0, start)];
  };

  return {
    handle(req, res) {
      const host = hostName(req.headers.host);
      if (!owns(host)) return false;
      const [path] = splitQuery(req.url ?? '/');
      const match = table.match(host, path);
      if (!match) {
        sendProblem(res, 404, 'route_not_found', `no app answers on ${host}${path}`);
        return true;
      }
      const leave = enter(match.target);
      res.once('close', leave);
      if (match.target.kind === 'static') {
        serveStatic(req, res, match.target.root, path.slice(match.prefix.length), match.target).catch(() => sendProblem(res, 500, 'internal', 'could not read the file'));
        return true;
      }
      const backends = rotation(match.target);
      if (!backends.length) {
        sendProblem(res, 503, 'no_ready_instance', `the app on ${host} has no ready instance; see its status and logs`);
        return true;
      }
      proxyRequest({ req, res, backends, agent, host: host!, onFail: (detail) => options.log?.({ stream: 'system', source: 'router', text: `bad gateway: ${detail}` }) });
      return true;
    },
    handleUpgrade(req, socket, head) {
      const host = hostName(req.headers.host);
      if (!owns(host)) return false;
      const [path] = splitQuery(req.url ?? '/');
      const match = table.match(host, path);
      if (!match || match.target.kind !== 'proxy') {
        socketProblem(socket, 404, 'route_not_found', `no app takes websockets on ${host}${path}`);
        return true;
      }
      const backend = rotation(match.target)[0];
      if (!backend) {
        socketProblem(socket, 503, 'no_ready_instance', `the app on ${host} has no ready instance; see its status and logs`);
        return true;
      }
      proxyUpgrade(req, socket, head, backend.port, host!, enter(match.target));
      return true;
    },
    setRoute: (route, target, owner) => table.set(route, target, owner),
    removeRoute: (route, owner) => table.remove(route, owner),
    drain(target, drainOptions = {}) {
      if (!inFlight.get(target)) return Promise.resolve();
      return new Promise((resolve) => {
        const list = waiters.get(target) ?? [];
        list.push(resolve);
        waiters.set(target, list);
        if (drainOptions.timeoutMs !== undefined) setTimeout(resolve, drainOptions.timeoutMs).unref();
      });
    },
    close: () => agent.destroy(),
  };
}
