/**
 * Router latency benchmark (not a test): the latency the local runtime's router adds to
 * a request, against the same app asked directly. A tiny app runs as a real child
 * process (through `startInstance`), the router on a plain node:http server as the main
 * server wires it; requests go out at a fixed rate, alternating direct and routed, each
 * on a keep-alive connection, and the medians and p99s of both are compared.
 * Target: added median < 1 ms at 200 requests/s.
 *
 * Run with `node bench/router-latency.ts`. Options: --rate N (requests/s, default 200),
 * --seconds N (default 10).
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../controller/adapters/local/run/free-port.ts';
import { startInstance } from '../controller/adapters/local/run/start-instance.ts';
import { createRouter } from '../controller/adapters/local/router/create-router.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';

const { values: args } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '10' } } });
const rate = Number(args.rate);
const total = rate * Number(args.seconds);

const temp = await makeTempDir('slipway-bench-');
await writeFile(join(temp.dir, 'app.cjs'), `require('node:http').createServer((req, res) => res.end('hello')).listen(Number(process.env.PORT), '127.0.0.1');`);
const appPort = await freePort();
const app = startInstance({ id: 'bench', command: [process.execPath, join(temp.dir, 'app.cjs')], cwd: temp.dir, env: {}, port: appPort, log: () => {} });
await app.waitUntilReady({ timeoutMs: 10_000 });

const router = createRouter({ systemDomain: 'localhost' });
router.setRoute('bench.localhost', { kind: 'proxy', backends: () => [{ port: appPort }] });
const server = createServer((req, res) => {
  if (!router.handle(req, res)) res.end('api');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const routerPort = (server.address() as AddressInfo).port;

const agent = new Agent({ keepAlive: true });
function timed(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
    }).on('error', reject).end();
  });
}

const direct: number[] = [];
const routed: number[] = [];
// Warm both paths (connections, JIT) before measuring.
for (let i = 0; i < 200; i++) await Promise.all([timed(appPort, 'bench.localhost'), timed(routerPort, 'bench.localhost')]);
const pending: Promise<void>[] = [];
const began = performance.now();
for (let i = 0; i < total; i++) {
  const due = began + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const routedTurn = i % 2 === 1;
  pending.push(timed(routedTurn ? routerPort : appPort, 'bench.localhost').then((ms) => void (routedTurn ? routed : direct).push(ms)));
}
await Promise.all(pending);

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const line = (name: string, values: number[]) => `${name.padEnd(8)} n=${values.length}  median ${quantile(values, 0.5).toFixed(3)} ms  p99 ${quantile(values, 0.99).toFixed(3)} ms`;
console.log(`${rate} requests/s for ${args.seconds} s, alternating direct and routed (Node ${process.version})`);
console.log(line('direct', direct));
console.log(line('routed', routed));
const added = quantile(routed, 0.5) - quantile(direct, 0.5);
console.log(`router adds ${added.toFixed(3)} ms at the median (target < 1 ms): ${added < 1 ? 'ok' : 'OVER TARGET'}`);

agent.destroy();
router.close();
server.close();
await app.stop({ graceMs: 1000 });
await temp.cleanup();
