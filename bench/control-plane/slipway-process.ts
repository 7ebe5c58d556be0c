/**
 * `slipway server` with `SLIPWAY_RUNTIME=kubernetes` as its own process, the way users
 * run it (through test/helpers/server-process.ts: `npm start`'s V8 flag and
 * MALLOC_ARENA_MAX), pointed by KUBECONFIG at the fake API in the bench process and at
 * the S3 emulator there, with the chart's defaults otherwise (a 15 s Lease).
 */
import { readFile } from 'node:fs/promises';
import type { KubeWorld } from '../../test/helpers/kube-server.ts';
import { emulatorCredentials } from '../../test/helpers/s3-emulator.ts';
import { startServerProcess, type ServerProcess } from '../../test/helpers/server-process.ts';

/** The admin password of bench servers. */
export const BENCH_PASSWORD = 'bench-admin-password';

/** Starts the server; `nodeOptions` (e.g. `--cpu-prof`) goes to NODE_OPTIONS for profiling. */
export async function startSlipwayProcess(world: KubeWorld, opts: { kubeconfig: string; dataDir: string; nodeOptions?: string }): Promise<ServerProcess> {
  return startServerProcess({
    SLIPWAY_RUNTIME: 'kubernetes', KUBECONFIG: opts.kubeconfig, SLIPWAY_KUBE_NAMESPACE: 'slipway-system',
    SLIPWAY_S3_ENDPOINT: world.s3.endpoint, SLIPWAY_S3_BUCKET: 'slipway-bench', SLIPWAY_REGISTRY: 'registry.test',
    SLIPWAY_SYSTEM_DOMAIN: 'apps.test', SLIPWAY_POD_NAME: 'bench-replica', SLIPWAY_DATA_DIR: opts.dataDir, SLIPWAY_ADMIN_PASSWORD: BENCH_PASSWORD,
    AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
    ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}),
  }, 120_000);
}

/** Memory of a process, MiB. */
export interface Rss {
  /** VmRSS: resident now. */
  rss: number;
  /** VmHWM: the most it was resident. */
  peak: number;
  /** RssAnon: the resident part that is the process's own (heap, malloc), not pages of the node binary or other files. */
  anon: number;
}

/** Reads {@link Rss} from /proc/<pid>/status. */
export async function rssOf(pid: number): Promise<Rss> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024 };
}

/** The V8 heap of a server process, MiB, from its `GET /metrics` (prom-client's default metrics). */
export interface HeapFigures {
  /** Heap in use (live objects and garbage not yet collected). */
  used: number;
  /** Heap V8 holds from the system (what RSS sees of it). */
  total: number;
  /** Memory of objects outside the heap that V8 knows of (Buffers, ArrayBuffers). */
  external: number;
  /** Per heap space: [name, used, size]. */
  spaces: [string, number, number][];
}

/** Reads {@link HeapFigures} from `url`/metrics. */
export async function heapOf(url: string): Promise<HeapFigures> {
  const text = await (await fetch(`${url}/metrics`)).text();
  // `slipway_<name>{label="value",…} <number>` lines.
  const samples = [...text.matchAll(/^slipway_(\w+)\{([^}]*)\}\s+(\S+)$/gm)].map(([, name, labels, value]) => ({ name: name!, labels: labels!, mib: Number(value) / 2 ** 20 }));
  const value = (name: string, labels = '') => samples.find((m) => m.name === name && m.labels.includes(labels))?.mib ?? NaN;
  const spaces = samples.filter((m) => m.name === 'nodejs_heap_space_size_used_bytes').map((m): [string, number, number] => {
    const space = /space="(\w+)"/.exec(m.labels)?.[1] ?? '?';
    return [space, m.mib, value('nodejs_heap_space_size_total_bytes', `space="${space}"`)];
  });
  return { used: value('nodejs_heap_size_used_bytes'), total: value('nodejs_heap_size_total_bytes'), external: value('nodejs_external_memory_bytes'), spaces };
}

/** CPU time (user + system) a process used so far, ms; /proc counts in clock ticks of 10 ms. */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
