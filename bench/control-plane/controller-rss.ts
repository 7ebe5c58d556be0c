/**
 * Memory of the controller as users run it: `slipway server` as its own process
 * (slipway-process.ts) on the fake API and S3 emulator of the bench process, so
 * neither counts. RSS is read from /proc/<pid>/status.
 */
import type { KubeWorld } from '../../test/helpers/kube-server.ts';
import { readdir } from 'node:fs/promises';
import { BENCH_PASSWORD, heapOf, rssOf, startSlipwayProcess, type HeapFigures, type Rss } from './slipway-process.ts';
import { spread, tally, type Spread } from './stats.ts';
import { countRequests, isLease, isWatch, untilQuiet } from './api-requests.ts';

/** What one server process showed. */
export interface RssFigures {
  label: string;
  apps: number;
  /**
   * Process start → `Slipway is listening` on stderr, ms. main.ts writes that line once
   * the HTTP server answers and the controller's start resolved: the first list of Apps
   * and of Slipway's Deployments is in its caches and their watches are being opened.
   */
  startupMs: number;
  /** Requests the server made to the fake until then, by kind. */
  startupRequests: [string, number][];
  /** After start-up and settling (+ 1 s), before any API request. */
  started: Rss;
  /** The V8 heap then (from `GET /metrics`). */
  startedHeap?: HeapFigures;
  /** After `GET …/applications` listed every App (warm-up and timed lists), and settling again. */
  listed?: Rss;
  /** The V8 heap then. */
  listedHeap?: HeapFigures;
  /** The heap snapshot written at the end (`heapSnapshotDir`). */
  heapSnapshot?: string;
  /** The first `GET …/applications` that showed every App, ms (the first after start-up). */
  listMs?: number;
  /** The timed lists after warm-up. */
  lists?: ListFigures;
  /** Requests the server made to the fake from its start, by kind (Lease renewals included). */
  requests: [string, number][];
  /** Requests other than Lease renewals and watches during the last settling (after the list, or the last second before `started`): 0 when the controller is idle. */
  idleRequests: number;
}

/** `GET …/applications` timed `n` times in a row, after warm-up. */
export interface ListFigures {
  times: Spread;
  /** API requests the server made per list (Lease requests left out), and by kind. */
  requestsPerList: number;
  kinds: [string, number][];
  /** Bytes of one answer. */
  bytes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const auth = { authorization: `Basic ${Buffer.from(`admin:${BENCH_PASSWORD}`).toString('base64')}` };

/** One GET of `namespace`'s Apps through the server's API: its time, status and how many it listed. */
async function listOnce(url: string, namespace: string): Promise<{ ms: number; status: number; count: number; bytes: number; body: unknown }> {
  const begun = performance.now();
  const response = await fetch(`${url}/api/v1/namespaces/${namespace}/applications`, { headers: auth });
  const text = await response.text();
  const ms = performance.now() - begun;
  const body = JSON.parse(text) as unknown;
  return { ms, status: response.status, count: Array.isArray(body) ? body.length : -1, bytes: Buffer.byteLength(text), body };
}

/** Lists `namespace`'s Apps through the server's API until it sees `count` of them; the time of the last GET. */
async function listApps(url: string, namespace: string, count: number): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const answer = await listOnce(url, namespace);
    if (answer.status === 200 && answer.count === count) return answer.ms;
    if (Date.now() > deadline) throw new Error(`the server lists ${answer.status} ${answer.count >= 0 ? answer.count : JSON.stringify(answer.body)} Apps, not ${count}`);
    await sleep(1000);
  }
}

/**
 * `warmUp` untimed lists, then `n` timed ones, each alone, but no more than fit in
 * `budgetMs` once 5 are in (a slow list must not make the run take many minutes);
 * requests counted over the timed ones.
 */
async function timeLists(world: KubeWorld, url: string, namespace: string, count: number, n: number, warmUp = 3, budgetMs = 60_000): Promise<ListFigures> {
  for (let i = 0; i < warmUp; i += 1) await listOnce(url, namespace);
  await untilQuiet(world, 500);
  const first = world.kube.requests.length;
  const times: number[] = [];
  let bytes = 0;
  const begun = performance.now();
  for (let i = 0; i < n && (i < 5 || performance.now() - begun < budgetMs); i += 1) {
    const answer = await listOnce(url, namespace);
    if (answer.status !== 200 || answer.count !== count) throw new Error(`the server lists ${answer.status} ${answer.count} Apps, not ${count}`);
    times.push(answer.ms);
    bytes = answer.bytes;
  }
  const counted = countRequests(world.kube.requests.slice(first));
  return { times: spread(times), requestsPerList: counted.total / times.length, kinds: counted.kinds.map(([k, c]) => [k, c / times.length]), bytes };
}

/** Has the server (started with `--heapsnapshot-signal=SIGUSR2`) write a heap snapshot into `dir`; its path. */
async function writeHeapSnapshot(pid: number, url: string, dir: string): Promise<string> {
  const before = new Set(await readdir(dir));
  process.kill(pid, 'SIGUSR2');
  // The main thread writes the snapshot before it answers again.
  await sleep(500);
  await fetch(`${url}/metrics`).then((r) => r.text());
  const written = (await readdir(dir)).find((name) => !before.has(name) && name.endsWith('.heapsnapshot'));
  if (!written) throw new Error(`no heap snapshot appeared in ${dir}`);
  return `${dir}/${written}`;
}

/**
 * Starts a server on `world` (timing its start-up), lets it fill its caches and settle,
 * reads its memory; then, with `lists` > 0, lists `namespace`'s Apps through its API
 * until it shows all of them, times `lists` more GETs after warm-up, settles again and
 * reads its memory once more.
 */
export async function measureServerRss(world: KubeWorld, opts: {
  label: string; apps: number; namespace: string; kubeconfig: string; dataDir: string; settleMs: number; lists?: number; nodeOptions?: string;
  /** Where to write a heap snapshot of the server once measured (Chrome DevTools' Memory tab reads it). */
  heapSnapshotDir?: string;
}): Promise<RssFigures> {
  const firstRequest = world.kube.requests.length;
  const begun = performance.now();
  const snapshotOptions = opts.heapSnapshotDir ? `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${opts.heapSnapshotDir}` : '';
  const nodeOptions = [opts.nodeOptions ?? '', snapshotOptions].join(' ').trim();
  const server = await startSlipwayProcess(world, { ...opts, ...(nodeOptions ? { nodeOptions } : {}) });
  const startupMs = performance.now() - begun;
  const startupRequests = tally(world.kube.requests.slice(firstRequest));
  try {
    const pid = server.child.pid!;
    await sleep(opts.settleMs);
    // A last second to count what the controller still asks the API when it should be idle.
    let settling = world.kube.requests.length;
    await sleep(1000);
    const started = await rssOf(pid);
    const figures: RssFigures = { label: opts.label, apps: opts.apps, startupMs, startupRequests, started, startedHeap: await heapOf(server.url), requests: [], idleRequests: 0 };
    if (opts.lists) {
      figures.listMs = await listApps(server.url, opts.namespace, opts.apps);
      figures.lists = await timeLists(world, server.url, opts.namespace, opts.apps, opts.lists);
      settling = world.kube.requests.length;
      await sleep(opts.settleMs);
      figures.listed = await rssOf(pid);
      figures.listedHeap = await heapOf(server.url);
    }
    if (opts.heapSnapshotDir) figures.heapSnapshot = await writeHeapSnapshot(pid, server.url, opts.heapSnapshotDir);
    figures.idleRequests = world.kube.requests.slice(Math.max(firstRequest, settling)).filter((r) => !isLease(r) && !isWatch(r)).length;
    figures.requests = tally(world.kube.requests.slice(firstRequest));
    return figures;
  } catch (error) {
    const exit = server.child.exitCode ?? server.child.signalCode;
    // pino's JSON lines (warn and up) go to stdout; a lost Lease ends the process by SIGTERM, logging why.
    const said = [...server.stdout().trim().split('\n').slice(-3), ...server.stderr().trim().split('\n').slice(-3)].filter(Boolean).join('\n      ');
    throw new Error(`${exit === null ? 'failed' : `the server process exited (${exit})`}: ${(error as Error).message}\n      ${said}`, { cause: error });
  } finally {
    await server.stop();
  }
}
