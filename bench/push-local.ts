/**
 * Push-to-serving on the embedded default (not a test): `slipway server` runs as its
 * own process with the local runtime; the Node.js example (no dependencies) is pushed
 * 10 times with the real CLI, each time with a new version string, and the time from
 * starting `slipway push` until the app's URL answers with that version is taken.
 * Then the router's added latency: requests at a fixed rate, alternating between the
 * app's own port and the app's route on Slipway's port, each on a keep-alive connection.
 * Targets: median push-to-serving < 2 s; added median latency < 1 ms at 200 requests/s.
 *
 *   node bench/push-local.ts [--pushes 10] [--rate 200] [--seconds 10]
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { startServerProcess, REPO_ROOT } from '../test/helpers/server-process.ts';
import { runCli } from '../test/helpers/run-cli.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { getApp } from '../test/helpers/app-request.ts';

const { values: args } = parseArgs({ options: { pushes: { type: 'string', default: '10' }, rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '10' } } });
const PASSWORD = 'bench-admin-password';
const data = await makeTempDir('slipway-bench-push-');
const server = await startServerProcess({ SLIPWAY_DATA_DIR: join(data.dir, 'data'), SLIPWAY_ADMIN_PASSWORD: PASSWORD });
const env = { SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD, SLIPWAY_CONFIG_DIR: join(data.dir, 'cli') };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

try {
  const source = join(data.dir, 'app');
  await cp(join(REPO_ROOT, 'examples/node-hello'), source, { recursive: true });
  const original = await readFile(join(source, 'server.js'), 'utf8');
  const times: number[] = [];
  let url = '';
  for (let i = 1; i <= Number(args.pushes); i++) {
    const version = `bench-${i}`;
    await writeFile(join(source, 'server.js'), original.replace("process.env.APP_VERSION || '1.0.0'", `'${version}'`));
    const started = performance.now();
    const pushed = await runCli(['push', '--name', 'hello', '--path', source, '--output', 'json'], env);
    if (pushed.code !== 0) throw new Error(`push ${i} failed: ${pushed.stderr}`);
    url = JSON.parse(pushed.stdout).urls[0];
    while (!(await getApp(url)).body.includes(`version ${version}`)) await new Promise((r) => setTimeout(r, 5));
    times.push(performance.now() - started);
  }
  const med = median(times);
  console.log(`push-to-serving over ${times.length} pushes: median ${(med / 1000).toFixed(2)} s, min ${(Math.min(...times) / 1000).toFixed(2)} s, max ${(Math.max(...times) / 1000).toFixed(2)} s (target median < 2 s: ${med < 2000 ? 'ok' : 'OVER TARGET'})`);
  console.log(`  runs (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);

  // The app's own port, from its log line "node-hello … listening on port N".
  const logs = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/hello/logs?tail=200`, { headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` } });
  const ports = [...(await logs.text()).matchAll(/listening on port (\d+)/g)].map((m) => Number(m[1]));
  const appPort = ports.at(-1)!;
  const slipwayPort = Number(new URL(server.url).port);
  const host = new URL(url).host;
  const direct: number[] = [];
  const routed: number[] = [];
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })];
  const once = (port: number, hostHeader: string, agent: Agent) => new Promise<number>((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    request({ host: '127.0.0.1', port, path: '/', headers: { host: hostHeader }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    }).on('error', reject).end();
  });
  const total = Number(args.rate) * Number(args.seconds);
  const interval = 1000 / Number(args.rate);
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const due = begin + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (i % 2 === 0) direct.push(await once(appPort, `127.0.0.1:${appPort}`, agents[0]!));
    else routed.push(await once(slipwayPort, host, agents[1]!));
  }
  const added = median(routed) - median(direct);
  console.log(`router at ${args.rate} requests/s for ${args.seconds} s: direct median ${median(direct).toFixed(3)} ms (p99 ${pct(direct, 0.99).toFixed(3)}), ` +
    `through Slipway median ${median(routed).toFixed(3)} ms (p99 ${pct(routed, 0.99).toFixed(3)}); added median ${added.toFixed(3)} ms (target < 1 ms: ${added < 1 ? 'ok' : 'OVER TARGET'})`);
  for (const a of agents) a.destroy();
} finally {
  await server.stop();
  await data.cleanup();
}
