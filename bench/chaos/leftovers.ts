/**
 * What a killed server can leave on the machine: processes it started (found through
 * the process tree before the kill, so the count does not rely on Slipway's own
 * marks), and temporary files in its data folder.
 */
import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { isRunning, listPids, readProcStat } from '../../controller/adapters/local/run/proc-info.ts';

/** A process, for good: a pid and its start time (a reused pid has another). */
export interface ProcessId {
  pid: number;
  start: number;
}

/** Every process descended from `root` (children, their children, …), not `root` itself. */
export async function descendants(root: number): Promise<ProcessId[]> {
  const parents = new Map<number, number[]>();
  const starts = new Map<number, number>();
  for (const pid of await listPids()) {
    const stat = await readProcStat(pid);
    if (!stat || stat.state === 'Z') continue;
    starts.set(pid, stat.start);
    parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), pid]);
  }
  const found: ProcessId[] = [];
  const queue = [...(parents.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    found.push({ pid, start: starts.get(pid)! });
    queue.push(...(parents.get(pid) ?? []));
  }
  return found;
}

/** The ones among `processes` still running. */
export async function stillRunning(processes: ProcessId[]): Promise<ProcessId[]> {
  const alive: ProcessId[] = [];
  for (const p of processes) if (await isRunning(p.pid, p.start)) alive.push(p);
  return alive;
}

/** Leftover temporary bytes of a data folder. */
export interface TempBytes {
  /** Every file under `<dataDir>/tmp`. */
  tmp: number;
  /** Every `*.tmp` file elsewhere (blob store writes in progress). */
  dotTmp: number;
}

/** Counts {@link TempBytes} of `dataDir`. */
export async function tempBytes(dataDir: string): Promise<TempBytes> {
  const found: TempBytes = { tmp: 0, dotTmp: 0 };
  const walk = async (dir: string, inTmp: boolean): Promise<void> => {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (!info) continue;
      if (info.isDirectory()) await walk(path, inTmp || path === join(dataDir, 'tmp'));
      else if (inTmp) found.tmp += info.size;
      else if (name.endsWith('.tmp')) found.dotTmp += info.size;
    }
  };
  await walk(dataDir, false);
  return found;
}

/** Files under `dir` (recursively) whose name ends with `suffix`. */
export async function countFiles(dir: string, suffix: string): Promise<number> {
  let count = 0;
  for (const name of await readdir(dir, { recursive: true }).catch(() => [] as string[])) if (name.endsWith(suffix)) count++;
  return count;
}
