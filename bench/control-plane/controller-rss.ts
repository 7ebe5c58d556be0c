/**
 * Memory of the controller as users run it: `slipway server` as its own process
 * (slipway-process.ts) on the fake API and S3 emulator of the bench process, so
 * neither counts. RSS is read from /proc/<pid>/status.
 */
import type { KubeWorld } from '../../test/helpers/kube-server.ts';
import { BENCH_PASSWORD, rssOf, startSlipwayProcess, type Rss } from './slipway-process.ts';
import { tally } from './stats.ts';

/** What one server process showed. */
export interface RssFigures {
  label: string;
  apps: number;
  /** After start-up (the informers' first list is in, the Lease taken) and settling (+ 1 s), before any API request. */
  started: Rss;
  /** After `GET …/applications` listed every App, and settling again: the figure the target is about. */
  listed?: Rss;
  /** How long that GET took, ms. */
  listMs?: number;
  /** Requests the server made to the fake from its start, by kind (Lease renewals included). */
  requests: [string, number][];
  /** Requests other than Lease renewals and watches during the last settling (after the list, or the last second before `started`): 0 when the controller is idle. */
  idleRequests: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lists `namespace`'s Apps through the server's API until it sees `count` of them; the time of the last GET. */
async function listApps(url: string, namespace: string, count: number): Promise<number> {
  const auth = { authorization: `Basic ${Buffer.from(`admin:${BENCH_PASSWORD}`).toString('base64')}` };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const begun = performance.now();
    const response = await fetch(`${url}/api/v1/namespaces/${namespace}/applications`, { headers: auth });
    const body = await response.json() as unknown[];
    const ms = performance.now() - begun;
    if (response.status === 200 && body.length === count) return ms;
    if (Date.now() > deadline) throw new Error(`the server lists ${response.status} ${Array.isArray(body) ? body.length : JSON.stringify(body)} Apps, not ${count}`);
    await sleep(1000);
  }
}

/**
 * Starts a server on `world`, lets it fill its caches and settle, reads its memory;
 * then (unless `list` is false) lists `namespace`'s Apps through its API, settles
 * again and reads it once more.
 */
export async function measureServerRss(world: KubeWorld, opts: {
  label: string; apps: number; namespace: string; kubeconfig: string; dataDir: string; settleMs: number; list?: boolean; nodeOptions?: string;
}): Promise<RssFigures> {
  const firstRequest = world.kube.requests.length;
  const server = await startSlipwayProcess(world, opts);
  try {
    const pid = server.child.pid!;
    await sleep(opts.settleMs);
    // A last second to count what the controller still asks the API when it should be idle.
    let settling = world.kube.requests.length;
    await sleep(1000);
    const started = await rssOf(pid);
    const figures: RssFigures = { label: opts.label, apps: opts.apps, started, requests: [], idleRequests: 0 };
    if (opts.list !== false) {
      figures.listMs = await listApps(server.url, opts.namespace, opts.apps);
      settling = world.kube.requests.length;
      await sleep(opts.settleMs);
      figures.listed = await rssOf(pid);
    }
    figures.idleRequests = world.kube.requests.slice(Math.max(firstRequest, settling)).filter((r) => !r.path.includes('/leases') && r.query.watch !== 'true').length;
    figures.requests = tally(world.kube.requests.slice(firstRequest));
    return figures;
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver stderr:\n${server.stderr()}`);
  } finally {
    await server.stop();
  }
}
