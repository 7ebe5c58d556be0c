/**
 * Proxies one HTTP request to an app instance, streaming both ways without buffering.
 */
import { request, type Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { endToEndHeaders, requestHeaders } from './forward-headers.ts';
import { sendProblem } from './problem.ts';

/** What {@link proxyRequest} needs. */
export interface ProxyRequestOptions {
  req: IncomingMessage;
  res: ServerResponse;
  /** Backends in the order to try them (round-robin already applied). */
  backends: { port: number }[];
  agent: Agent;
  /** Used in error messages: the host the client asked for. */
  host: string;
  /** Told when no backend answered (the client got a 502). */
  onFail?: (detail: string) => void;
}

/**
 * Sends the request to the first backend that takes it. A request without a body is
 * tried on the next backend when a connection fails before any answer (an instance that
 * just died, a keep-alive socket the app closed); one with a body cannot be replayed
 * without buffering it, so it gets a 502.
 */
export function proxyRequest(options: ProxyRequestOptions): void {
  const { req, res } = options;
  const bodyless = req.headers['content-length'] === undefined || req.headers['content-length'] === '0';
  const replayable = bodyless && req.headers['transfer-encoding'] === undefined;
  const headers = requestHeaders(req);
  let answered = false;
  let current: ReturnType<typeof request> | undefined;
  res.once('close', () => {
    if (!res.writableFinished) current?.destroy();
  });

  const attempt = (index: number, tries: number) => {
    const backend = options.backends[index];
    if (!backend) return sendProblem(res, 502, 'bad_gateway', `the app on ${options.host} did not answer`);
    const outgoing = request({ host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers, agent: options.agent });
    current = outgoing;
    outgoing.on('response', (incoming: IncomingMessage) => {
      answered = true;
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, endToEndHeaders(incoming.headers));
      // Headers go out now: a streaming response's first chunk may be a while.
      res.flushHeaders();
      incoming.pipe(res);
      incoming.on('error', () => res.destroy());
      // An app that dies mid-answer: cut the client off too, so it sees a failure, not a short body.
      incoming.on('aborted', () => res.destroy());
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (answered || res.destroyed) return;
      // A reused keep-alive socket the app closed: same backend again on a new socket.
      const next = outgoing.reusedSocket ? index : index + 1;
      if (replayable && tries < options.backends.length + 2 && next < options.backends.length) return attempt(next, tries + 1);
      options.onFail?.(`${req.method} ${options.host}${req.url}: port ${backend.port}: ${error.code ?? error.message}`);
      sendProblem(res, 502, 'bad_gateway', `the app on ${options.host} did not answer`);
    });
    if (replayable) outgoing.end();
    else req.pipe(outgoing);
  };
  attempt(0, 0);
}
