/**
 * Control-plane overhead of a push on the Kubernetes runtime: a Slipway replica
 * in this process on the fake API, where staging Jobs complete and Deployments roll
 * out the moment they are created, so what is left of `POST …/deployments` → run
 * `succeeded` is Slipway's own work plus the fake's answers. Sources are stored
 * before the clock starts.
 */
import type { KubeWorld } from '../../test/helpers/kube-server.ts';
import { basic, type TestServer } from '../../test/helpers/test-server.ts';
import type { KubeObject, RecordedRequest } from '../../test/helpers/fake-kube/index.ts';
import { Watch } from '@kubernetes/client-node';
import { goodTree, tgzOf } from '../../test/helpers/archives.ts';
import { spread, type Spread } from './stats.ts';
import { cpuMsOf } from './slipway-process.ts';
import { countRequests, untilQuiet } from './api-requests.ts';
import { profiled } from './profile.ts';

const NS = 'workspace';
const base = `/api/v1/namespaces/${NS}/applications`;

/** The figures of one scenario. */
export interface PushFigures {
  scenario: string;
  pushes: number;
  failed: number;
  /** Per push, POST → run succeeded, ms. */
  times: Spread;
  /** Time spent in the timed sections, ms (for the burst: first POST → last run finished). */
  wallMs: number;
  /** CPU of this process per push, ms: the fake API, plus Slipway when it runs in this process (until the controller went quiet). */
  cpuMsPerPush: number;
  /** CPU of the Slipway server process per push, ms, when it runs as its own process (until it went quiet). */
  serverCpuMsPerPush?: number;
  /**
   * API requests the fake served per push, from the first POST until the controller
   * went quiet (background work included), Lease requests left out. Target: ≤ 10.
   */
  requestsPerPush: number;
  /** The same, by verb and resource (`WATCH apps` is a watch re-opened, not a list). */
  requestKinds: [string, number][];
  /** Lease requests (renewals) in the same window, per push: apart, they come on their own clock. */
  leaseRequestsPerPush: number;
  /** Lease requests in the same window, in all. */
  leaseRequests: number;
}

/** What the bench needs of a server: authenticated requests (a TestServer in this process, or {@link processApi}). */
export type Api = Pick<TestServer, 'request'>;

/** An {@link Api} for a server process at `url` with the admin `password`. */
export function processApi(url: string, password: string): Api {
  return {
    request(method, path, body, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', basic('admin', password));
      if (body !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${url}${path}`, { ...init, method, headers, body: body === undefined ? init.body : JSON.stringify(body) });
    },
  };
}

async function ok(response: Promise<Response>, status: number, what: string): Promise<Response> {
  const r = await response;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r;
}

/** Creates `name` and waits until the controller has observed its first generation (so that work is not timed). */
export async function createApp(world: KubeWorld, server: Api, name: string): Promise<void> {
  await ok(server.request('POST', base, { name }), 201, `create ${name}`);
  await world.kube.waitFor(() => {
    const app = world.kube.object('slipway.dev/v1alpha1', 'App', NS, name) as { metadata: KubeObject['metadata']; status?: { observedGeneration?: number } } | undefined;
    return app && (app.status?.observedGeneration ?? 0) >= (app.metadata.generation ?? 1);
  }, { timeoutMs: 30_000 });
}

/** Stores a small tar.gz (its content differs per `version`) as the app's next source. */
export async function storeSource(server: Api, name: string, version: number): Promise<void> {
  const body = await tgzOf([...goodTree, { name: 'VERSION', content: `${version}\n` }]);
  await ok(server.request('POST', `${base}/${name}/store`, undefined, { body, headers: { 'content-type': 'application/gzip' } }), 200, `store ${name}`);
}

type Run = { id: string; phase: string };

/**
 * When each run finished, as a watch of the namespace's Apps sees the status write
 * (the way `kubectl get apps -w` would). One stream for every push, so watching costs
 * the fake one JSON line per App change, not a lookup per waiter per change.
 */
export async function watchRuns(world: KubeWorld): Promise<{ finished(id: string): Promise<{ at: number; phase: string }>; stop(): void }> {
  const done = new Map<string, { at: number; phase: string }>();
  const waiting = new Map<string, (r: { at: number; phase: string }) => void>();
  const seen = (run: Run | undefined) => {
    if (!run || done.has(run.id) || (run.phase !== 'succeeded' && run.phase !== 'failed')) return;
    const record = { at: performance.now(), phase: run.phase };
    done.set(run.id, record);
    waiting.get(run.id)?.(record);
  };
  const path = `/apis/slipway.dev/v1alpha1/namespaces/${NS}/apps`;
  let stopped = false;
  let abort: AbortController | undefined;
  // Bookmarks every 5 s keep client-node's 30 s inactivity timeout from ending the
  // stream on a loaded machine; if it ends anyway, a new watch (its ADDED replay shows
  // every App as it is now) catches the runs that finished meanwhile.
  const open = async (): Promise<void> => {
    abort = await new Watch(world.kube.kubeConfig()).watch(path, { allowWatchBookmarks: true }, (type, obj: { status?: { run?: Run; runs?: Run[] } }) => {
      if (type === 'BOOKMARK') return;
      seen(obj.status?.run);
      for (const run of obj.status?.runs ?? []) seen(run);
    }, (error) => {
      if (stopped) return;
      if (error) console.error('the bench\'s watch of Apps ended, opening another:', (error as Error).message ?? error);
      void open();
    });
  };
  await open();
  return {
    finished: (id) => {
      const known = done.get(id);
      return known ? Promise.resolve(known) : new Promise((resolve) => waiting.set(id, resolve));
    },
    stop: () => { stopped = true; waiting.clear(); abort?.abort(); },
  };
}

type Runs = Awaited<ReturnType<typeof watchRuns>>;

/** How long a push may take before the bench counts it failed. */
const PUSH_DEADLINE_MS = 180_000;

/** POST …/deployments and the time until that run finished. */
async function timedPush(runs: Runs, server: Api, name: string): Promise<{ ms: number; phase: string }> {
  const started = performance.now();
  const response = await ok(server.request('POST', `${base}/${name}/deployments`, {}), 202, `deploy ${name}`);
  const { id } = await response.json() as { id: string };
  // A run that never finishes (a server that died or lost its Lease) fails the push instead of hanging the bench.
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<{ at: number; phase: string }>((resolve) => { timer = setTimeout(() => resolve({ at: performance.now(), phase: 'timed out' }), PUSH_DEADLINE_MS); });
  const run = await Promise.race([runs.finished(id), gaveUp]);
  clearTimeout(timer);
  return { ms: run.at - started, phase: run.phase };
}

/** CPU, wall time and API requests summed over the timed sections only (storing sources is left out). */
function createMeter(world: KubeWorld, serverPid?: number) {
  let cpuMicros = 0;
  let serverCpuMs = 0;
  let wallMs = 0;
  const requests: RecordedRequest[] = [];
  return {
    async time<T>(section: () => Promise<T>): Promise<T> {
      const first = world.kube.requests.length;
      const cpu = process.cpuUsage();
      const serverCpu = serverPid ? await cpuMsOf(serverPid) : 0;
      const started = performance.now();
      try {
        return await section();
      } finally {
        wallMs += performance.now() - started;
        // What the pushes set off in the background counts too: requests and CPU until the controller is quiet.
        await untilQuiet(world);
        const used = process.cpuUsage(cpu);
        cpuMicros += used.user + used.system;
        if (serverPid) serverCpuMs += await cpuMsOf(serverPid) - serverCpu;
        for (let i = first; i < world.kube.requests.length; i += 1) requests.push(world.kube.requests[i]!);
      }
    },
    figures(scenario: string, outcomes: { ms: number; phase: string }[]): PushFigures {
      const count = outcomes.length;
      const counted = countRequests(requests);
      return {
        scenario, pushes: count, failed: outcomes.filter((o) => o.phase !== 'succeeded').length,
        times: spread(outcomes.map((o) => o.ms)), wallMs, cpuMsPerPush: cpuMicros / 1000 / count,
        requestsPerPush: counted.total / count, requestKinds: counted.kinds.map(([kind, n]) => [kind, n / count]),
        leaseRequestsPerPush: counted.lease / count, leaseRequests: counted.lease,
        ...(serverPid ? { serverCpuMsPerPush: serverCpuMs / count } : {}),
      };
    },
  };
}

/** One app pushed `count` times in a row; each push is timed alone (its source stored beforehand, untimed). */
export async function sequentialPushes(world: KubeWorld, server: Api, name: string, count: number, serverPid?: number): Promise<PushFigures> {
  await createApp(world, server, name);
  const meter = createMeter(world, serverPid);
  const outcomes: { ms: number; phase: string }[] = [];
  const runs = await watchRuns(world);
  for (let i = 0; i < count; i += 1) {
    await storeSource(server, name, i);
    outcomes.push(await meter.time(() => timedPush(runs, server, name)));
  }
  runs.stop();
  return meter.figures(`1 app, ${count} pushes one after another`, outcomes);
}

/** `count` apps (created and stored beforehand) pushed at the same moment; each app's own POST → succeeded. */
export async function concurrentPushes(world: KubeWorld, server: Api, prefix: string, count: number, serverPid?: number, profile?: string): Promise<PushFigures> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
  for (const name of names) {
    await createApp(world, server, name);
    await storeSource(server, name, 0);
  }
  const meter = createMeter(world, serverPid);
  const runs = await watchRuns(world);
  const outcomes = await profiled(profile, () => meter.time(() => Promise.all(names.map((name) => timedPush(runs, server, name)))));
  runs.stop();
  return meter.figures(`${count} apps pushed at once`, outcomes);
}
