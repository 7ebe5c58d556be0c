/**
 * Epinio's log WebSockets under `/wapi/v1` (epinio/epinio `internal/api/v1/router.go`
 * `WsRoutes`): a stage's build log (`…/staging/:id/logs`, what `epinio push` tails) and
 * an app's log (`…/applications/:app/logs`, `epinio app logs`). A WebSocket cannot carry
 * BasicAuth from its CLI, so the user comes from the short-lived `?authtoken=` of
 * `GET /api/v1/authtoken`; then the API's namespace rules apply. Refusals are plain HTTP
 * answers before the upgrade, in the API's problem shape with Epinio's `errors` array,
 * which its client reads from a failed handshake. Each line is one text message, a
 * `tailer.ContainerLogLine`; the end of the log is a normal close (1000), which the CLI
 * takes as the end of the stream.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../../core/ports/clock.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import type { LogLine } from '../../../core/ports/runtime.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import { SlipwayError } from '../../../core/errors.ts';
import { authTokenInvalid, invalidRequest, noRuntime } from '../../../core/error-cases.ts';
import type { Authenticator } from '../../auth/user-store.ts';
import type { PipelineDeps } from '../../pipeline/pipeline-deps.ts';
import { requireApp } from '../../pipeline/lookup.ts';
import { forbidden, mayAccess } from '../namespace-access.ts';
import { toProblem } from '../problem-middleware.ts';
import { requireStage } from '../routes/runtime.ts';
import { verifyAuthToken } from './auth-token.ts';
import { epinioErrors } from './epinio-errors.ts';
import { acceptWebSocket, handshakeProblem } from './websocket.ts';

/** What the sockets need from the composition root. */
export interface EpinioLogSocketDeps {
  store: StateStore;
  auth: Authenticator;
  clock: Clock;
  logger: Logger;
  /** Absent without a runtime: the sockets answer 409 `no_runtime`. */
  pipeline?: Pick<PipelineDeps, 'store' | 'stages' | 'runtime'>;
  /** A ping goes out this often, so no proxy's idle limit ends a follow during a silent build step. */
  heartbeatMs?: number;
}

/** An upgrade handler: true when the request was for `/wapi/` (answered, or refused), false otherwise. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

const ROUTE = /^\/wapi\/v1\/namespaces\/([^/]+)\/(staging|applications)\/([^/]+)\/logs$/;

/** Epinio's `tailer.ContainerLogLine`. Its Go struct has no JSON tags, so the names are its field names. */
export function containerLogLine(line: LogLine, namespace: string, pod: string, container: string) {
  return {
    Message: line.text,
    ContainerName: line.stream === 'system' ? 'slipway' : line.source ?? container,
    PodName: pod,
    Namespace: namespace,
    Timestamp: line.time,
  };
}

function refuse(socket: Duplex, error: unknown): void {
  const problem = toProblem(error);
  const text = JSON.stringify({ ...problem, errors: epinioErrors(problem) });
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** The `/wapi/v1` upgrade handler. */
export function createEpinioLogSockets(deps: EpinioLogSocketDeps): UpgradeHandler {
  async function serve(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://wapi');
    // The token first, so a 404 never tells an anonymous caller which routes exist.
    const user = verifyAuthToken(url.searchParams.get('authtoken') ?? '', deps.clock.now().getTime(), (name) => deps.auth.find?.(name));
    if (!user) throw authTokenInvalid();
    const match = ROUTE.exec(url.pathname);
    if (!match) throw new SlipwayError('route_not_found', `no WebSocket route for ${url.pathname}`, { status: 404, expose: true });
    let parts: string[];
    try {
      parts = [match[1]!, match[2]!, match[3]!].map(decodeURIComponent);
    } catch {
      throw invalidRequest('the WebSocket path is not valid percent-encoding');
    }
    const [namespace, kind, name] = parts as [string, string, string];
    if (!mayAccess(user, namespace)) throw forbidden(user.username, `access namespace "${namespace}"`);
    const problem = handshakeProblem(req);
    if (problem) throw invalidRequest(problem);
    const pipeline = deps.pipeline;
    if (!pipeline) throw noRuntime();
    const follow = url.searchParams.get('follow') === 'true';
    const tailText = url.searchParams.get('tail');
    const tail = tailText === null ? undefined : Math.max(0, Math.min(Number(tailText) || 0, 100_000));
    if (kind === 'staging') await requireStage(pipeline, namespace, name);
    else await requireApp(pipeline.store, namespace, name);

    const ws = acceptWebSocket(req, socket, head);
    const heartbeat = setInterval(() => ws.ping(), deps.heartbeatMs ?? 15_000);
    heartbeat.unref();
    try {
      const lines = kind === 'staging'
        ? pipeline.runtime.stagingLogs(namespace, name, { follow, tail, signal: ws.signal })
        : pipeline.runtime.logs(namespace, name, { follow, tail: tail ?? 100, signal: ws.signal });
      for await (const line of lines) {
        if (ws.signal.aborted) break;
        ws.send(JSON.stringify(containerLogLine(line, namespace, kind === 'staging' ? `stage-${name}` : line.source ?? name, kind === 'staging' ? 'staging' : name)));
      }
      ws.close(1000);
    } catch (error) {
      if (!ws.signal.aborted) deps.logger.warn({ namespace, kind, name, err: String((error as Error)?.message ?? error) }, 'log socket failed');
      // 1011: the server met an error; the CLI ends the stream either way.
      ws.close(1011);
    } finally {
      clearInterval(heartbeat);
    }
  }

  return (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/wapi/')) return false;
    socket.on('error', () => socket.destroy());
    serve(req, socket, head).catch((error: unknown) => {
      const problem = toProblem(error);
      if (problem.status >= 500) deps.logger.error({ path: req.url?.split('?')[0], err: String((error as Error)?.stack ?? error) }, 'log socket refused');
      else if (problem.status === 401 || problem.status === 403) deps.logger.info({ path: req.url?.split('?')[0], code: problem.code }, problem.detail);
      if (!socket.destroyed) refuse(socket, error);
    });
    return true;
  };
}
