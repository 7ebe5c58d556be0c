/**
 * Control-plane benchmark of the Kubernetes runtime (not a test), on the fake API
 * server of test/helpers/fake-kube with staging Jobs completing and Deployments rolling
 * out the moment they are created:
 *
 * 1. Overhead per push: the time from `POST …/deployments` to the run `succeeded`
 *    (rollout done, as a watch of the App sees its status) for one app pushed N times in
 *    a row, and for M apps pushed at once (each app's own time), with Slipway in this
 *    process (as the tests run it) and then as its own process (its CPU apart from the
 *    fake's). Sources are stored beforehand. Target: p95 < 1 s on 2 cores.
 * 2. Controller RSS with 1,000 Apps in the informer cache: `slipway server` as its
 *    own process on a fake seeded with copies of an App the first part left (spec,
 *    status, 10 releases, 20 runs, managedFields), every spec observed and no run
 *    pending. Read after it settled, and after the API listed all of them and it
 *    settled again, next to the same server with 0 Apps. Target: < 150 MiB.
 *
 *   node bench/control-plane.ts                       # 20 pushes, 50 at once, 1,000 Apps
 *   node bench/control-plane.ts --only latency --pushes 50 --burst 100
 *   node bench/control-plane.ts --only latency --crowd 1000   # with 1,000 other Apps around
 *   node bench/control-plane.ts --only rss --apps 2000 --settle 10 --deployments --json
 *   node bench/control-plane.ts --node-options=--cpu-prof   # profiles of the server processes (in the cwd)
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startKubeWorld, type KubeWorld } from '../test/helpers/kube-server.ts';
import type { KubeObject } from '../test/helpers/fake-kube/index.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { concurrentPushes, processApi, sequentialPushes, type Api, type PushFigures } from './control-plane/push-latency.ts';
import { BENCH_PASSWORD, startSlipwayProcess } from './control-plane/slipway-process.ts';
import type { ServerProcess } from '../test/helpers/server-process.ts';
import { createAppCopier } from './control-plane/app-copies.ts';
import { measureServerRss, type RssFigures } from './control-plane/controller-rss.ts';
import type { Rss } from './control-plane/slipway-process.ts';
import { ms } from './control-plane/stats.ts';

const { values: args } = parseArgs({
  options: {
    pushes: { type: 'string', default: '20' },
    burst: { type: 'string', default: '50' },
    apps: { type: 'string', default: '1000' },
    settle: { type: 'string', default: '5' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    deployments: { type: 'boolean', default: false },
    crowd: { type: 'string', default: '0' },
    'node-options': { type: 'string' },
  },
});
const TEMPLATE = 'single-app';
const LATENCY_TARGET_MS = 1000;
const RSS_TARGET_MIB = 150;
const log = (line: string) => { if (!args.json) console.log(line); };
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/**
 * Part 1 on its own world, with Slipway in this process (`in-process`, what the tests
 * do: the fake and Slipway share one thread) or as its own process (`process`: its CPU
 * is measured apart from the fake's). Returns the figures and the App + Deployment to
 * copy for part 2 (`burst` 0 and a silent `print` just make that App).
 */
async function latency(mode: 'in-process' | 'process', pushes: number, burst: number, print = log): Promise<{ figures: PushFigures[]; app: KubeObject; deployment: KubeObject }> {
  const world = await startKubeWorld({ autoJobs: 'complete' });
  const temp = await makeTempDir('slipway-bench-control-plane-');
  let child: ServerProcess | undefined;
  try {
    let api: Api;
    if (mode === 'in-process') {
      // The chart's Lease duration, not the tests' short one.
      api = await world.server({ SLIPWAY_LEASE_DURATION_MS: '15000', SLIPWAY_LOG_LEVEL: 'silent' });
    } else {
      child = await startSlipwayProcess(world, { kubeconfig: await world.kube.writeKubeconfig(temp.dir), dataDir: temp.dir, nodeOptions: args['node-options'] });
      api = processApi(child.url, BENCH_PASSWORD);
    }
    const pid = child?.child.pid;
    await sequentialPushes(world, api, 'warm-up', 3); // leadership, JIT, connections
    const crowd = Number(args.crowd);
    if (crowd > 0) await addCrowd(world, crowd);
    print(mode === 'in-process'
      ? `Control-plane overhead per push, Slipway in this process on the fake API (Jobs complete and Deployments roll out at once${crowd > 0 ? `; ${crowd.toLocaleString('en-US')} other Apps in the namespace` : ''})`
      : 'The same with `slipway server` as its own process (its CPU apart from the fake\'s)');
    const figures: PushFigures[] = [];
    const scenarios = [() => sequentialPushes(world, api, TEMPLATE, pushes, pid), () => concurrentPushes(world, api, 'burst', burst, pid)];
    for (const run of scenarios.slice(0, burst > 0 ? 2 : 1)) {
      const f = { ...await run(), mode };
      figures.push(f);
      const cpu = f.serverCpuMsPerPush === undefined
        ? `${f.cpuMsPerPush.toFixed(0)} ms of CPU (fake + Slipway)`
        : `${f.serverCpuMsPerPush.toFixed(0)} ms of Slipway's CPU (+ ${f.cpuMsPerPush.toFixed(0)} ms of the fake's)`;
      print(`  ${f.scenario.padEnd(40)}: p50 ${ms(f.times.p50)}, p95 ${ms(f.times.p95)}, max ${ms(f.times.max)}` +
        `${f.failed ? `, ${f.failed} FAILED` : ''}   target p95 < 1 s: ${verdict(f.times.p95 < LATENCY_TARGET_MS && !f.failed)}`);
      print(`  ${''.padEnd(40)}  per push: ${f.requestsPerPush.toFixed(1)} API requests, ${cpu}; ${ms(f.wallMs)} timed in all (${ms(f.wallMs / f.pushes)} a push)`);
      print(`  ${''.padEnd(40)}  requests per push: ${f.requestKinds.slice(0, 8).map(([k, n]) => `${k} ${n.toFixed(1)}`).join(', ')}`);
    }
    const app = world.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', TEMPLATE)!;
    const deployment = world.kube.object('apps/v1', 'Deployment', 'workspace', TEMPLATE)!;
    return { figures, app, deployment };
  } finally {
    await child?.stop();
    await world.close();
    await temp.cleanup();
  }
}

/**
 * `count` other Apps in the namespace (copies of the warm-up app, observed, nothing
 * pending), as in a busy cluster; waits until the controller has taken them in.
 */
async function addCrowd(world: KubeWorld, count: number): Promise<void> {
  const copier = createAppCopier(world.kube.object('slipway.dev/v1alpha1', 'App', 'workspace', 'warm-up')!, 'warm-up');
  for (let i = 0; i < count; i += 1) await world.kube.seed(copier.app(`crowd-${String(i).padStart(4, '0')}`, i));
  const busy = () => world.kube.requests.filter((r) => !r.path.includes('/leases') && r.query.watch !== 'true').length;
  for (let before = -1; before !== busy();) {
    before = busy();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Part 2: server processes on one fake: 0 Apps, then `count` Apps, then (with
 * `--deployments`) their Deployments and pods too — without the list through the API
 * there, since it reads every app's Deployment and pods (see README).
 */
async function memory(count: number, settleMs: number, app: KubeObject, deployment: KubeObject): Promise<RssFigures[]> {
  const world: KubeWorld = await startKubeWorld();
  const temp = await makeTempDir('slipway-bench-control-plane-');
  try {
    const kubeconfig = await world.kube.writeKubeconfig(temp.dir);
    await world.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'workspace', labels: { 'slipway.dev/namespace': 'true', 'app.kubernetes.io/managed-by': 'slipway' } } });
    const copier = createAppCopier(app, TEMPLATE);
    const run = (label: string, apps: number, list = true) =>
      measureServerRss(world, { label, apps, namespace: 'workspace', kubeconfig, dataDir: temp.dir, settleMs, list, nodeOptions: args['node-options'] });
    log(`Controller RSS (\`slipway server\` as its own process; fake API and S3 in this process; settled ${settleMs / 1000} s after start and after the list)`);
    const figures: RssFigures[] = [];
    const mib = (r: Rss) => `RSS ${r.rss.toFixed(0)} MiB (own ${r.anon.toFixed(0)}), peak ${r.peak.toFixed(0)} MiB`;
    const show = (f: RssFigures, baseline?: RssFigures) => {
      figures.push(f);
      const final = f.listed ?? f.started;
      const over = baseline ? `, +${(final.rss - (baseline.listed ?? baseline.started).rss).toFixed(0)} over 0 Apps` : '';
      const target = baseline ? `   target < ${RSS_TARGET_MIB} MiB: ${verdict(final.rss < RSS_TARGET_MIB)}` : '';
      log(`  ${f.label.padEnd(40)}: ${mib(final)}${over}${target}`);
      if (f.listed) log(`  ${''.padEnd(40)}  before GET …/applications: ${mib(f.started)}; the GET took ${ms(f.listMs!)}`);
      log(`  ${''.padEnd(40)}  API requests while settled: ${f.idleRequests}; since start: ${f.requests.slice(0, 6).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    };
    const baseline = await run('0 Apps (baseline)', 0);
    show(baseline);
    const uids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const seeded = await world.kube.seed(copier.app(`app-${String(i).padStart(4, '0')}`, i));
      uids.push(seeded.metadata.uid!);
    }
    show(await run(`${count.toLocaleString('en-US')} Apps (${(copier.bytes / 1024).toFixed(1)} KiB, ${copier.releases} releases, ${copier.runs} runs each)`, count), baseline);
    if (args.deployments) {
      for (let i = 0; i < count; i += 1) await world.kube.seed(copier.deployment(deployment, `app-${String(i).padStart(4, '0')}`, i, uids[i]!));
      await world.kube.waitFor(() => world.kube.objects('v1', 'Pod', 'workspace').length >= count, { timeoutMs: 300_000 });
      show(await run(`${count.toLocaleString('en-US')} Apps + Deployments (no list)`, count, false), baseline);
    }
    return figures;
  } finally {
    await world.close();
    await temp.cleanup();
  }
}

const only = args.only;
const result: { loadavg: number[]; latency?: (PushFigures & { mode: string })[]; rss?: RssFigures[] } = { loadavg: loadavg() };
log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
let source: { app: KubeObject; deployment: KubeObject } | undefined;
if (only !== 'rss') {
  const inProcess = await latency('in-process', Number(args.pushes), Number(args.burst));
  const separate = await latency('process', Number(args.pushes), Number(args.burst));
  result.latency = [...inProcess.figures, ...separate.figures] as (PushFigures & { mode: string })[];
  source = inProcess;
}
if (only !== 'latency') {
  // 12 pushes leave a full release history (10) when part 1 did not.
  if (!source || Number(args.pushes) < 10) source = await latency('in-process', 12, 0, () => {});
  result.rss = await memory(Number(args.apps), Number(args.settle) * 1000, source.app, source.deployment);
}
if (args.json) console.log(JSON.stringify(result, null, 2));
