/**
 * Control-plane benchmark of the Kubernetes runtime (not a test), on the fake API
 * server of test/helpers/fake-kube with staging Jobs completing and Deployments rolling
 * out the moment they are created. The scenarios of issue 12, each printed with its
 * target and PASS/MISS:
 *
 * - `push`: 50 apps pushed at once (`--burst`), `slipway server` as its own process.
 *   Each app's time from `POST …/deployments` to its run `succeeded` (p95 < 1 s), and
 *   the API requests the controller made from the first POST until it went quiet
 *   (background work included), per push (≤ 10), by verb and resource; Lease requests
 *   apart.
 * - `crowd`: the same with 1,000 other Apps (`--crowd`) in the namespace.
 * - `rss`: controller RSS with 1,000 Apps (`--apps`; < 150 MiB), next to 0 Apps, after
 *   start-up and after `GET …/applications` listed them all.
 * - `list`: `GET …/applications` of those 1,000 Apps, each with its Deployment and pod
 *   (as in a cluster where they run): p95 of 20 GETs (`--lists`; fewer when they take
 *   over a minute, at least 5) after 3 warm-up GETs < 100 ms, and API requests per GET.
 *   The 3 Apps-only lists of `rss` are printed too.
 * - `startup`: 10,000 Apps (`--large`): process start → list + watch ready (the server
 *   answers and its caches are synced: the `Slipway is listening` line, see
 *   controller-rss.ts) < 10 s, and RSS after settling < 400 MiB.
 * - `latency` (not in the default run): the earlier figures — one app pushed 20 times
 *   in a row and 50 at once, with Slipway in this process and as its own process.
 *
 *   node bench/control-plane.ts                           # push, crowd, rss, list, startup
 *   node bench/control-plane.ts --quick                   # smaller: 20 at once, 300 crowd, 300/3,000 Apps, 10 lists
 *   node bench/control-plane.ts --only push,crowd         # any of push, crowd, rss, list, startup, latency
 *   node bench/control-plane.ts --only startup --large 20000
 *   node bench/control-plane.ts --only latency --pushes 50 --burst 100 --crowd 1000
 *   node bench/control-plane.ts --json                    # every figure as JSON (and nothing else on stdout)
 *   node bench/control-plane.ts --out figures.json        # the same JSON into a file, the text on stdout
 *   node bench/control-plane.ts --node-options=--cpu-prof # profiles of the server processes (in the cwd)
 *   node bench/control-plane.ts --profile-fake /tmp      # a profile of this process (the fake) over each burst
 *   node bench/control-plane.ts --only startup --heap-snapshot /tmp  # a heap snapshot of each measured server
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startKubeWorld, type KubeWorld } from '../test/helpers/kube-server.ts';
import type { KubeObject } from '../test/helpers/fake-kube/index.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { concurrentPushes, processApi, sequentialPushes, type Api, type PushFigures } from './control-plane/push-latency.ts';
import { BENCH_PASSWORD, startSlipwayProcess } from './control-plane/slipway-process.ts';
import type { ServerProcess } from '../test/helpers/server-process.ts';
import { createAppCopier } from './control-plane/app-copies.ts';
import { measureServerRss, type ListFigures, type RssFigures } from './control-plane/controller-rss.ts';
import type { HeapFigures, Rss } from './control-plane/slipway-process.ts';
import { untilQuiet } from './control-plane/api-requests.ts';
import { ms } from './control-plane/stats.ts';

const SCENARIOS = ['push', 'crowd', 'rss', 'list', 'startup', 'latency'] as const;
type Scenario = typeof SCENARIOS[number];
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    pushes: { type: 'string' },
    burst: { type: 'string' },
    crowd: { type: 'string' },
    apps: { type: 'string' },
    large: { type: 'string' },
    lists: { type: 'string' },
    settle: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    'profile-fake': { type: 'string' },
    'node-options': { type: 'string' },
    'heap-snapshot': { type: 'string' },
  },
});
const quick = args.quick;
const number = (value: string | undefined, full: number, small: number) => Number(value ?? (quick ? small : full));
const settings = {
  pushes: number(args.pushes, 20, 10),
  burst: number(args.burst, 50, 20),
  crowd: number(args.crowd, 1000, 300),
  apps: number(args.apps, 1000, 300),
  large: number(args.large, 10_000, 3000),
  lists: number(args.lists, 20, 10),
  settleMs: Number(args.settle) * 1000,
};
const only = new Set((args.only ?? 'push,crowd,rss,list,startup').split(',').map((s) => s.trim()));
for (const s of only) if (!SCENARIOS.includes(s as Scenario)) throw new Error(`--only: unknown scenario ${s} (one or more of ${SCENARIOS.join(', ')})`);
const TARGETS = { pushP95Ms: 1000, requestsPerPush: 10, rss1kMiB: 150, rss10kMiB: 400, startup10kMs: 10_000, listP95Ms: 100 };
const TEMPLATE = 'single-app';
const NS = 'workspace';
const log = (line: string) => { if (!args.json) console.log(line); };
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const count = (n: number) => n.toLocaleString('en-US');
const pad = (label: string) => `  ${label.padEnd(46)}`;
const indent = pad('');

/** One line per figure that has a target, for the summary and the JSON. */
interface Verdict { scenario: string; figure: string; value: string; target: string; pass: boolean }
const verdicts: Verdict[] = [];
/** Scenarios that could not finish (a server process that died), with what it said last. */
const failures: { scenario: string; problem: string }[] = [];
function judge(scenario: string, figure: string, value: string, target: string, pass: boolean): string {
  verdicts.push({ scenario, figure, value, target, pass });
  return `target ${target}: ${verdict(pass)}`;
}

/** The App and Deployment the copies of the other scenarios are made from (12 pushes: a full release history). */
let source: { app: KubeObject; deployment: KubeObject } | undefined;

/** Prints one push scenario's figures (and judges them when `scenario` is one of the issue's). */
function printPushes(f: PushFigures, scenario?: string): void {
  const time = `p50 ${ms(f.times.p50)}, p95 ${ms(f.times.p95)}, max ${ms(f.times.max)}${f.failed ? `, ${f.failed} FAILED` : ''}`;
  const timeVerdict = scenario ? judge(scenario, 'p95 push → rollout', ms(f.times.p95), '< 1 s', f.times.p95 < TARGETS.pushP95Ms && !f.failed) : '';
  log(`${pad(f.scenario)}: ${time}   ${timeVerdict}`);
  const cpu = f.serverCpuMsPerPush === undefined
    ? `${f.cpuMsPerPush.toFixed(0)} ms of CPU (fake + Slipway)`
    : `${f.serverCpuMsPerPush.toFixed(0)} ms of Slipway's CPU (+ ${f.cpuMsPerPush.toFixed(0)} ms of the fake's)`;
  const requestVerdict = scenario ? `   ${judge(scenario, 'API requests per push', f.requestsPerPush.toFixed(1), '≤ 10', f.requestsPerPush <= TARGETS.requestsPerPush)}` : '';
  log(`${indent}  API requests per push (until quiet, Leases apart): ${f.requestsPerPush.toFixed(1)}${requestVerdict}`);
  log(`${indent}    ${f.requestKinds.map(([k, n]) => `${k} ${n.toFixed(1)}`).join(', ')}`);
  log(`${indent}    + Lease requests: ${f.leaseRequests} in the window (${f.leaseRequestsPerPush.toFixed(2)} a push)`);
  log(`${indent}  per push: ${cpu}; ${ms(f.wallMs)} timed in all`);
}

/**
 * Pushes on their own world, with Slipway in this process (`in-process`, what the
 * tests do: the fake and Slipway share one thread) or as its own process (`process`:
 * its CPU is measured apart from the fake's): `pushes` in a row, then `burst` at once,
 * with `crowd` other Apps in the namespace. Keeps the template App for the copies.
 */
async function pushes(mode: 'in-process' | 'process', opts: { pushes: number; burst: number; crowd: number; scenario?: string; title?: string; silent?: boolean }): Promise<PushFigures[]> {
  const world = await startKubeWorld({ autoJobs: 'complete', paging: true });
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
    if (opts.crowd > 0) await addCrowd(world, opts.crowd);
    if (opts.title) log(opts.title);
    const figures: PushFigures[] = [];
    if (opts.pushes > 0) figures.push(await sequentialPushes(world, api, TEMPLATE, opts.pushes, pid));
    const profile = args['profile-fake'] && `${args['profile-fake']}/fake-${opts.scenario ?? mode}-${Date.now()}.cpuprofile`;
    if (opts.burst > 0) figures.push(await concurrentPushes(world, api, 'burst', opts.burst, pid, profile));
    if (!opts.silent) for (const f of figures) printPushes(f, opts.scenario && f.scenario.includes('at once') ? opts.scenario : undefined);
    if (!source && opts.pushes >= 10) {
      source = { app: world.kube.object('slipway.dev/v1alpha1', 'App', NS, TEMPLATE)!, deployment: world.kube.object('apps/v1', 'Deployment', NS, TEMPLATE)! };
    }
    return figures.map((f) => ({ ...f, mode, crowd: opts.crowd }));
  } catch (error) {
    if (!child) throw error;
    const exit = child.child.exitCode ?? child.child.signalCode;
    // pino's JSON lines (warn and up) go to stdout; a lost Lease ends the process by SIGTERM, logging why.
    const said = [...child.stdout().trim().split('\n').slice(-3), ...child.stderr().trim().split('\n').slice(-3)].filter(Boolean).join('\n      ');
    const problem = `${exit === null ? 'failed' : `the server process exited (${exit})`}: ${(error as Error).message}\n      ${said}`;
    if (!opts.scenario) throw new Error(problem, { cause: error });
    // The other scenarios still run: a controller that dies under the burst is a figure too.
    log(`  ${judge(opts.scenario, 'p95 push → rollout', 'failed', '< 1 s', false)}: ${problem}`);
    failures.push({ scenario: opts.scenario, problem });
    return [];
  } finally {
    await child?.stop();
    await world.close();
    await temp.cleanup();
  }
}

/**
 * `count` other Apps in the namespace (copies of the warm-up app, observed, nothing
 * pending, seeded into the fake's store), as in a busy cluster; waits until the
 * controller has taken them in.
 */
async function addCrowd(world: KubeWorld, count: number): Promise<void> {
  const copier = createAppCopier(world.kube.object('slipway.dev/v1alpha1', 'App', NS, 'warm-up')!, 'warm-up');
  for (let i = 0; i < count; i += 1) await world.kube.seed(copier.app(`crowd-${String(i).padStart(5, '0')}`, i));
  await untilQuiet(world, 2000, 120_000);
}

/** A world for server processes with `workspace` (Slipway's namespace label) and nothing else. */
async function scaleWorld(): Promise<{ world: KubeWorld; kubeconfig: string; dataDir: string; close(): Promise<void> }> {
  const world = await startKubeWorld({ paging: true });
  const temp = await makeTempDir('slipway-bench-control-plane-');
  await world.kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'slipway.dev/namespace': 'true', 'app.kubernetes.io/managed-by': 'slipway' } } });
  return { world, kubeconfig: await world.kube.writeKubeconfig(temp.dir), dataDir: temp.dir, close: async () => { await world.close(); await temp.cleanup(); } };
}

/** Seeds Apps `from`…`to - 1` (copies of the template) into the fake's store; their uids by index. */
async function seedApps(world: KubeWorld, from: number, to: number): Promise<string[]> {
  const copier = createAppCopier(source!.app, TEMPLATE);
  const uids: string[] = [];
  for (let i = from; i < to; i += 1) uids[i] = (await world.kube.seed(copier.app(appName(i), i))).metadata.uid!;
  return uids;
}
const appName = (i: number) => `app-${String(i).padStart(5, '0')}`;

const mib = (r: Rss) => `RSS ${r.rss.toFixed(0)} MiB (own ${r.anon.toFixed(0)}, peak ${r.peak.toFixed(0)})`;
const heap = (h: HeapFigures | undefined) => (h ? `; V8 heap ${h.used.toFixed(0)} MiB used of ${h.total.toFixed(0)}, ${h.external.toFixed(0)} external` : '');

/** Prints one server process's figures. */
function printServer(f: RssFigures, rssVerdict?: string, startupVerdict?: string): void {
  const final = f.listed ?? f.started;
  log(`${pad(f.label)}: ${mib(final)}${f.listed ? ' after the lists' : ' after start-up'}${rssVerdict ? `   ${rssVerdict}` : ''}`);
  log(`${indent}  ${heap(f.listed ? f.listedHeap : f.startedHeap).slice(2)}`);
  if (f.listed) log(`${indent}  after start-up, before any GET: ${mib(f.started)}${heap(f.startedHeap)}`);
  if (f.heapSnapshot) log(`${indent}  heap snapshot: ${f.heapSnapshot}`);
  log(`${indent}  start-up (process start → list + watch ready): ${ms(f.startupMs)}${startupVerdict ? `   ${startupVerdict}` : ''}`);
  log(`${indent}    API requests until then: ${f.startupRequests.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (f.listMs !== undefined) log(`${indent}  first GET …/applications after start-up: ${ms(f.listMs)}`);
  log(`${indent}  API requests while settled: ${f.idleRequests}`);
}

/** Prints timed lists, judged when `scenario` is given. */
function printLists(label: string, l: ListFigures, scenario?: string): void {
  const v = scenario ? `   ${judge(scenario, 'p95 GET …/applications', ms(l.times.p95), '< 100 ms', l.times.p95 < TARGETS.listP95Ms)}` : '';
  log(`${pad(label)}: p50 ${ms(l.times.p50)}, p95 ${ms(l.times.p95)}, max ${ms(l.times.max)} (${l.times.n} GETs, ${(l.bytes / 1024).toFixed(0)} KiB each)${v}`);
  log(`${indent}  API requests per GET: ${l.requestsPerList.toFixed(1)} (${l.kinds.map(([k, n]) => `${k} ${n.toFixed(1)}`).join(', ') || 'none'})`);
}

/**
 * `rss` and `list`: server processes on one fake: 0 Apps (baseline), then `apps` Apps
 * (RSS, Apps-only lists), then their Deployments and pods too (lists as in a cluster
 * where the apps run).
 */
async function thousand(apps: number): Promise<RssFigures[]> {
  const w = await scaleWorld();
  const { world } = w;
  try {
    const run = (label: string, n: number, lists: number) =>
      measureServerRss(world, { label, apps: n, namespace: NS, kubeconfig: w.kubeconfig, dataDir: w.dataDir, settleMs: settings.settleMs, lists, nodeOptions: args['node-options'], heapSnapshotDir: args['heap-snapshot'] });
    // A server that dies is a MISS with its last words; the next scenario still runs.
    const died = (scenario: string, figure: string, error: unknown) => {
      log(`  ${judge(scenario, figure, 'failed', scenario === 'rss' ? `< ${TARGETS.rss1kMiB} MiB` : '< 100 ms', false)}: ${(error as Error).message}`);
      failures.push({ scenario, problem: (error as Error).message });
    };
    const figures: RssFigures[] = [];
    const copier = createAppCopier(source!.app, TEMPLATE);
    const shape = `${(copier.bytes / 1024).toFixed(1)} KiB, ${copier.releases} releases, ${copier.runs} runs each`;
    log(`Controller RSS and GET …/applications (\`slipway server\` as its own process; fake API and S3 in this process; settled ${settings.settleMs / 1000} s after start and after the lists)`);
    if (only.has('rss')) {
      const baseline = await run('0 Apps (baseline)', 0, 0);
      printServer(baseline);
      figures.push(baseline);
    }
    const uids = await seedApps(world, 0, apps);
    if (only.has('rss')) {
      try {
        // A few lists: the RSS target is about a server that has answered them.
        const f = await run(`${count(apps)} Apps (${shape})`, apps, 3);
        const final = f.listed ?? f.started;
        printServer(f, judge('rss', `RSS with ${count(apps)} Apps`, `${final.rss.toFixed(0)} MiB`, `< ${TARGETS.rss1kMiB} MiB`, final.rss < TARGETS.rss1kMiB));
        printLists(`GET …/applications, ${count(apps)} Apps, no Deployments`, f.lists!);
        figures.push(f);
      } catch (error) {
        died('rss', `RSS with ${count(apps)} Apps`, error);
      }
    }
    if (only.has('list')) {
      const copies = createAppCopier(source!.app, TEMPLATE);
      for (let i = 0; i < apps; i += 1) await world.kube.seed(copies.deployment(source!.deployment, appName(i), i, uids[i]!));
      // The fake's Deployment controller makes each one's ReplicaSet and pod.
      for (const deadline = Date.now() + 300_000; world.kube.pods.list(NS).length < apps;) {
        if (Date.now() > deadline) throw new Error('the fake made no pods for the seeded Deployments');
        await new Promise((r) => setTimeout(r, 500));
      }
      try {
        const f = await run(`${count(apps)} Apps + Deployments + pods`, apps, settings.lists);
        printServer(f);
        printLists(`GET …/applications, ${count(apps)} Apps running`, f.lists!, 'list');
        figures.push(f);
      } catch (error) {
        died('list', 'p95 GET …/applications', error);
      }
    }
    return figures;
  } finally {
    await w.close();
  }
}

/** `startup`: `large` Apps: start-up time and RSS after settling, no list. */
async function large(apps: number): Promise<RssFigures | undefined> {
  const w = await scaleWorld();
  try {
    const seeding = performance.now();
    await seedApps(w.world, 0, apps);
    log(`Start-up and RSS with ${count(apps)} Apps (seeded into the fake's store in ${ms(performance.now() - seeding)}; no GET …/applications)`);
    let f: RssFigures;
    try {
      f = await measureServerRss(w.world, { label: `${count(apps)} Apps`, apps, namespace: NS, kubeconfig: w.kubeconfig, dataDir: w.dataDir, settleMs: settings.settleMs, lists: 0, nodeOptions: args['node-options'], heapSnapshotDir: args['heap-snapshot'] });
    } catch (error) {
      log(`  ${judge('startup', `start-up with ${count(apps)} Apps`, 'failed', '< 10 s', false)}: ${(error as Error).message}`);
      failures.push({ scenario: 'startup', problem: (error as Error).message });
      return undefined;
    }
    printServer(f, judge('startup', `RSS with ${count(apps)} Apps`, `${f.started.rss.toFixed(0)} MiB`, `< ${TARGETS.rss10kMiB} MiB`, f.started.rss < TARGETS.rss10kMiB),
      judge('startup', `start-up with ${count(apps)} Apps`, ms(f.startupMs), '< 10 s', f.startupMs < TARGETS.startup10kMs));
    return f;
  } finally {
    await w.close();
  }
}

const result: {
  startedAt: string; loadavg: number[]; cores: number; settings: typeof settings; scenarios: string[];
  push?: PushFigures[]; crowd?: PushFigures[]; latency?: PushFigures[]; rss?: RssFigures[]; startup?: RssFigures | undefined; verdicts: Verdict[]; failures: typeof failures; loadavgAfter?: number[];
} = { startedAt: new Date().toISOString(), loadavg: loadavg(), cores: availableParallelism(), settings, scenarios: [...only], verdicts, failures };
log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores; scenarios: ${[...only].join(', ')}${quick ? ' (--quick)' : ''}`);
if (only.has('latency')) {
  log('Overhead per push, Slipway in this process on the fake API (Jobs complete and Deployments roll out at once' +
    `${settings.crowd > 0 && args.crowd ? `; ${count(settings.crowd)} other Apps in the namespace` : ''})`);
  const crowd = args.crowd ? settings.crowd : 0;
  result.latency = await pushes('in-process', { pushes: settings.pushes, burst: settings.burst, crowd });
  log('The same with `slipway server` as its own process (its CPU apart from the fake\'s)');
  result.latency.push(...await pushes('process', { pushes: settings.pushes, burst: settings.burst, crowd }));
}
if (only.has('push')) {
  result.push = await pushes('process', { pushes: 0, burst: settings.burst, crowd: 0, scenario: 'push',
    title: `${count(settings.burst)} pushes at once, \`slipway server\` as its own process (Jobs complete and Deployments roll out at once)` });
}
if (only.has('crowd')) {
  result.crowd = await pushes('process', { pushes: 0, burst: settings.burst, crowd: settings.crowd, scenario: 'crowd',
    title: `${count(settings.burst)} pushes at once with ${count(settings.crowd)} other Apps in the namespace, \`slipway server\` as its own process` });
}
if (only.has('rss') || only.has('list') || only.has('startup')) {
  // 20 pushes in a row leave a full history (10 releases, 20 runs) to copy.
  if (!source) await pushes('in-process', { pushes: 20, burst: 0, crowd: 0, silent: true });
  if (only.has('rss') || only.has('list')) result.rss = await thousand(settings.apps);
  if (only.has('startup')) result.startup = await large(settings.large);
}
result.loadavgAfter = loadavg();
log('');
log(`Summary (load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
for (const v of verdicts) log(`  ${verdict(v.pass)}  ${v.scenario.padEnd(8)} ${v.figure.padEnd(36)} ${v.value.padStart(10)}   target ${v.target}`);
if (args.json) console.log(JSON.stringify(result, null, 2));
if (args.out) await writeFile(args.out, `${JSON.stringify(result, null, 2)}\n`);
