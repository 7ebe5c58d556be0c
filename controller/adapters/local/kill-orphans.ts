/**
 * Apps and build steps run in their own process groups, so they outlive a server killed
 * with SIGKILL. At start the local runtime ends such leftovers before it starts
 * anything, recognising them by marks the app cannot change (see
 * run/process-records.ts):
 *  - a recorded group leader still running with the recorded start time: its group;
 *  - any process whose start-up environment carries this data folder's runtime id
 *    (children an app or `npm install` forked, even into groups of their own): its group;
 *  - a process whose working folder is inside the releases folder (apps started by a
 *    Slipway from before the marks): its group.
 * A pid that now belongs to an unrelated process is never hit: a record counts only
 * with its start time, and a marker only with this folder's id. Linux only (/proc);
 * elsewhere it finds nothing.
 */
import { readdir, readFile, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isRunning, listPids, readEnviron, readProcStat, type ProcStat } from './run/proc-info.ts';
import { RUNTIME_ID_VARIABLE, type ProcessRecord, type ProcessRecords } from './run/process-records.ts';

/** What {@link killOrphans} ended. */
export interface OrphansKilled {
  /** Process groups killed. */
  groups: number;
  /** Labels of the recorded leaders among them ("app default/web 1a2b3c-1"). */
  labels: string[];
}

/** Where to look. */
export interface KillOrphansOptions {
  records: Pick<ProcessRecords, 'id' | 'dir'>;
  releasesDir: string;
  /** How long to wait for the killed processes to be gone (default 5 s). */
  waitMs?: number;
}

/** Kills the process groups left over from an earlier run on this data folder, waits until they are gone, and clears the records. */
export async function killOrphans(options: KillOrphansOptions): Promise<OrphansKilled> {
  const own = await readProcStat(process.pid);
  const spare = (stat: ProcStat) => stat.pid === process.pid || stat.pgid <= 1 || stat.pgid === own?.pgid;
  const { records, files } = await readRecords(options.records.dir);
  const marker = `${RUNTIME_ID_VARIABLE}=${options.records.id}`;
  const { releasesDir } = options;

  const all: ProcStat[] = [];
  const groups = new Set<number>();
  const labels: string[] = [];
  for (const pid of await listPids()) {
    const stat = await readProcStat(pid);
    if (!stat || stat.state === 'Z') continue;
    all.push(stat);
    if (spare(stat)) continue;
    const record = records.find((r) => r.pid === pid && r.start === stat.start);
    if (record) {
      // The group it was started in (its pid) and the one it is in now, should it have moved.
      for (const pgid of [record.pgid, stat.pgid]) if (pgid > 1 && pgid !== own?.pgid) groups.add(pgid);
      labels.push(record.label);
      continue;
    }
    if ((await readEnviron(pid))?.includes(marker)) {
      groups.add(stat.pgid);
      continue;
    }
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    if (cwd !== undefined && (cwd === releasesDir || cwd.startsWith(`${releasesDir}/`))) groups.add(stat.pgid);
  }
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // The killed processes hold ports and files until they are gone; the restart that
  // follows should not race them.
  const victims = all.filter((stat) => groups.has(stat.pgid) && !spare(stat));
  const deadline = Date.now() + (options.waitMs ?? 5_000);
  for (const victim of victims) {
    while (Date.now() < deadline && (await isRunning(victim.pid, victim.start))) await delay(20);
  }
  await Promise.all(files.map((file) => rm(file, { force: true })));
  return { groups: groups.size, labels };
}

/** The records left by the last run, and every file to remove once they are dealt with. */
async function readRecords(dir: string): Promise<{ records: ProcessRecord[]; files: string[] }> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).map((name) => join(dir, name));
  const records: ProcessRecord[] = [];
  for (const file of files) {
    try {
      const record = JSON.parse(await readFile(file, 'utf8')) as ProcessRecord;
      if (Number.isInteger(record.pid) && Number.isInteger(record.pgid) && Number.isInteger(record.start)) records.push(record);
    } catch {
      // A record cut short by the crash: its process, if any, carries the marker too.
    }
  }
  return { records, files };
}
