/**
 * The router's own error answers, in the API's problem shape
 * (`application/problem+json`, see controller/api/problem-middleware.ts).
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

function body(status: number, code: string, detail: string): string {
  return JSON.stringify({ status, code, title: STATUS_CODES[status] ?? 'Error', detail });
}

/** Answers a request with a problem document, unless the answer already started. */
export function sendProblem(res: ServerResponse, status: number, code: string, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = body(status, code, detail);
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers an upgrade request (a raw socket) with a problem document and closes it. */
export function socketProblem(socket: Duplex, status: number, code: string, detail: string): void {
  const text = body(status, code, detail);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
