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

/** CPU time (user + system) a process used so far, ms; /proc counts in clock ticks of 10 ms. */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
