/**
 * Tiny Node apps for the local runtime's tests, written into a temp folder and run with
 * `process.execPath`. One script; `MODE` picks the behaviour.
 */
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';

const SOURCE = String.raw`
const http = require('node:http');
const crypto = require('node:crypto');
const mode = process.env.MODE || 'good';
const id = process.env.APP_ID || 'app';
if (mode === 'throw') { console.log('connecting to the database'); throw new Error('boom: DATABASE_URL is not set'); }
if (mode === 'exit') { console.error('boom: missing DATABASE_URL'); process.exit(1); }
if (mode === 'noport') { console.log('thinking forever'); setInterval(() => {}, 1000); return; }
if (mode === 'flood') { const line = 'x'.repeat(1023) + '\n'; for (let i = 0; i < 16 * 1024; i++) process.stdout.write(line); }
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  if (mode === 'crash' && served > Number(process.env.CRASH_AFTER || 1)) { console.error('crashing after ' + (served - 1) + ' requests'); process.exit(3); }
  if (req.url === '/stream') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first\n');
    // The second chunk waits for a request to /release, so the test sees the first one alone.
    server.once('release', () => res.end('second\n'));
    return;
  }
  if (req.url === '/release') { server.emit('release'); res.end('ok'); return; }
  if (req.url === '/port') { res.end(process.env.PORT); return; }
  if (req.url === '/slow') { setTimeout(() => res.end(id), 30); return; }
  if (req.url.endsWith('/echo')) { let body = ''; req.on('data', (c) => (body += c)); req.on('end', () => res.end(body)); return; }
  if (req.url === '/headers') { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(req.headers)); return; }
  res.end(id + ' ' + process.env.GREETING);
});
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 6) {
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) { length = buffer.readUInt16BE(2); offset = 4; }
      if (buffer.length < offset + 4 + length) return;
      const mask = buffer.subarray(offset, offset + 4);
      const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length)).map((b, i) => b ^ mask[i % 4]);
      buffer = buffer.subarray(offset + 4 + length);
      if (opcode === 8) { socket.end(Buffer.from([0x88, 0])); return; }
      const text = Buffer.concat([Buffer.from(id + ':'), payload]);
      socket.write(Buffer.concat([Buffer.from([0x80 | opcode, text.length]), text]));
    }
  });
});
process.on('SIGTERM', () => {
  if (mode === 'stubborn') { console.log('ignoring SIGTERM'); return; }
  console.log('bye from ' + id);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
// fixedport: a port in the code, as in many tutorials (FIXED_PORT stands for 3000).
server.listen(Number(mode === 'fixedport' ? process.env.FIXED_PORT : process.env.PORT), mode === 'fixedport' ? undefined : '127.0.0.1', () => console.log(id + ' listening on ' + server.address().port));
`;

/** Writes the test app into `dir` and returns the command that runs it. */
export async function writeTestApp(dir: string): Promise<string[]> {
  const file = join(dir, 'app.cjs');
  await writeFile(file, SOURCE);
  return [process.execPath, file];
}

export { eventually } from '../../helpers/app-request.ts';

/** A request with a chosen Host header (fetch does not let one set it). */
export function httpRequest(port: number, host: string, path: string, options: { method?: string; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
