/**
 * Webhook ack latency and memory (not a test). By default the server is the real
 * `slipway server` process (local runtime, SLIPWAY_GITHUB_WEBHOOK_SECRET set), and the
 * deliveries are for a repository no app watches, so each is read, verified, mapped
 * and acknowledged (202, queued 0) with nothing else behind it. `--bare` runs instead a
 * child with only the webhook router and a counting `hint`.
 * The bench process sends signed 64 KiB GitHub push deliveries on a fixed schedule
 * (keep-alive agent; latency is measured from each request's scheduled send time, so
 * a stalled server cannot hide queueing) and reads the child's VmRSS from /proc.
 * Targets: p99 ack latency < 20 ms at 500 requests/s, RSS growth < 50 MB.
 *
 *   node bench/webhooks.ts [--rate 500] [--seconds 30] [--kib 64]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: {
  serve: { type: 'boolean', default: false },
  bare: { type: 'boolean', default: false },
  rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '30' }, kib: { type: 'string', default: '64' },
} });
const SECRET = 'bench-webhook-secret';

if (args.serve) await serve();
else await bench();

/** Child: the webhook server; prints its port and the number of hints on request. */
async function serve(): Promise<void> {
  const { default: Koa } = await import('koa');
  const { problemMiddleware } = await import('../controller/api/problem-middleware.ts');
  const { silentLogger } = await import('../core/ports/logger.ts');
  const { createWebhookRouter } = await import('../webhooks/create-webhook-router.ts');
  let hints = 0;
  const router = createWebhookRouter({
    secretsFor: async () => ['rotated-out-secret', SECRET],
    hint: () => ({ matched: ++hints > 0 ? 1 : 0 }),
    maxBytes: 1024 * 1024, readTimeoutMs: 10_000, logger: silentLogger,
  });
  const app = new Koa();
  app.use(problemMiddleware(silentLogger));
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as { port: number }).port}`));
  process.on('message', () => process.send!({ hints }));
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** Parent: load generator and measurements. */
async function bench(): Promise<void> {
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  let child: ChildProcess;
  let port: number;
  let data: { dir: string; cleanup: () => Promise<void> } | undefined;
  let real: ServerProcess | undefined;
  if (args.bare) {
    child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    port = await new Promise<number>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => { if (line.startsWith('port ')) resolve(Number(line.slice(5))); });
    });
  } else {
    data = await makeTempDir('slipway-bench-webhooks-');
    real = await startServerProcess({ SLIPWAY_DATA_DIR: data.dir, SLIPWAY_ADMIN_PASSWORD: 'bench-admin-password', SLIPWAY_GITHUB_WEBHOOK_SECRET: SECRET });
    child = real.child;
    port = Number(new URL(real.url).port);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  // A real push example padded to the size asked for; each delivery gets its own `after`, so bodies and signatures differ.
  const { createRequire } = await import('node:module');
  const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Record<string, any>[] }[];
  const push = examples.find((e) => e.name === 'push')!.examples.find((e) => e.ref === 'refs/heads/master')!;
  const padTo = Number(args.kib) * 1024;
  const make = (i: number) => {
    const payload = { ...push, after: i.toString(16).padStart(40, '0').replace(/^0/, 'a') };
    const base = JSON.stringify({ ...payload, padding: '' });
    return Buffer.from(JSON.stringify({ ...payload, padding: 'x'.repeat(Math.max(0, padTo - Buffer.byteLength(base))) }));
  };
  const send = (body: Buffer) => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/webhooks/github', method: 'POST', agent, headers: {
      'content-type': 'application/json', 'content-length': body.length, 'x-github-event': 'push',
      'x-github-delivery': 'bench', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
    req.end(body);
  });

  // Warm up (JIT, sockets), then measure RSS from a settled start.
  for (let i = 0; i < 200; i++) await send(make(i));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rssBefore = await rssKiB(child.pid!);

  const total = rate * seconds;
  const latencies: number[] = [];
  let failures = 0;
  let peakRss = rssBefore;
  const start = performance.now();
  const sampler = setInterval(async () => { peakRss = Math.max(peakRss, await rssKiB(child.pid!)); }, 250);
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = make(1000 + i);
    inflight.push(send(body).then((status) => {
      if (status !== 202) failures++;
      latencies.push(performance.now() - due);
    }, () => { failures++; }));
  }
  await Promise.all(inflight);
  clearInterval(sampler);
  const elapsed = (performance.now() - start) / 1000;
  const rssAfter = await rssKiB(child.pid!);
  const hints = args.bare
    ? await new Promise<number>((resolve) => { child.once('message', (m: { hints: number }) => resolve(m.hints)); child.send('count'); })
    : 0;
  if (real) await real.stop();
  else child.kill();
  await data?.cleanup();
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2);
  console.log(`webhooks (${args.bare ? 'bare router' : 'slipway server'}): ${latencies.length} signed ${args.kib} KiB push deliveries at ${rate}/s over ${elapsed.toFixed(1)} s (achieved ${(latencies.length / elapsed).toFixed(0)}/s), ${failures} failed${args.bare ? `, ${hints} hints queued` : ''}`);
  console.log(`ack latency: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${latencies.at(-1)!.toFixed(2)} ms (target p99 < 20 ms)`);
  console.log(`server RSS: ${(rssBefore / 1024).toFixed(1)} MiB before, ${(rssAfter / 1024).toFixed(1)} MiB after, peak ${(peakRss / 1024).toFixed(1)} MiB; growth ${((rssAfter - rssBefore) / 1024).toFixed(1)} MiB (target < 50 MB)`);
}
