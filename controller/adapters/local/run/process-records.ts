/**
 * How the local runtime finds its own processes again after a crash. Apps and build
 * steps run in their own process groups, so they outlive a server killed with SIGKILL,
 * and an app can change everything about itself a search might look at — its working
 * folder, its command line, its title. Two marks it cannot change:
 *  - every process started gets `SLIPWAY_RUNTIME_ID=<id of this data folder>` in its
 *    environment; /proc/<pid>/environ shows what a process was started with, whatever
 *    it did to its own environment later, and children inherit it;
 *  - the leader of every process group is recorded in `<data>/run/processes/` as
 *    pid, process group and start time, so even a leader that replaced itself with a
 *    program given a clean environment is found, and a pid reused by an unrelated
 *    process since (another start time) is never taken for ours.
 * kill-orphans.ts reads both at the next start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readProcStat } from './proc-info.ts';

/** The environment variable that marks a process as started by the local runtime of one data folder. */
export const RUNTIME_ID_VARIABLE = 'SLIPWAY_RUNTIME_ID';

/** One recorded process group leader (a file in the records folder). */
export interface ProcessRecord {
  pid: number;
  pgid: number;
  /** Start time from /proc/<pid>/stat (clock ticks after boot). */
  start: number;
  /** What it is, for the log: "app default/web 1a2b3c-1", "build default/web install". */
  label: string;
}

/** Records a just-started group leader; the returned function forgets it once it has exited. */
export type TrackProcess = (pid: number, label: string) => () => void;

/** The records of one data folder. */
export interface ProcessRecords {
  /** This data folder's id (the value of {@link RUNTIME_ID_VARIABLE}). */
  id: string;
  /** The marker to add to every started process's environment. */
  env: Record<string, string>;
  /** Folder of the record files. */
  dir: string;
  track: TrackProcess;
}

/** Opens (creating when new) the records under `<dataDir>/run/`. */
export async function openProcessRecords(dataDir: string): Promise<ProcessRecords> {
  const runDir = join(dataDir, 'run');
  const dir = join(runDir, 'processes');
  await mkdir(dir, { recursive: true });
  const idFile = join(runDir, 'id');
  let id = (await readFile(idFile, 'utf8').catch(() => '')).trim();
  if (!/^[0-9a-f]{16,}$/.test(id)) {
    // Random rather than derived from the path: two data folders never share it, and a
    // folder keeps it when moved.
    id = randomBytes(12).toString('hex');
    await writeFile(idFile, `${id}\n`);
  }
  const track: TrackProcess = (pid, label) => {
    // Written in the background: the spawn must not wait for the disk. The forget
    // waits for the write so a fast exit never leaves a record behind.
    const written = readProcStat(pid).then(async (stat) => {
      if (!stat) return undefined;
      const record: ProcessRecord = { pid, pgid: stat.pgid, start: stat.start, label };
      const file = join(dir, `${pid}-${stat.start}.json`);
      await writeFile(file, JSON.stringify(record));
      return file;
    }).catch(() => undefined);
    let forgotten = false;
    return () => {
      if (forgotten) return;
      forgotten = true;
      void written.then((file) => (file ? rm(file, { force: true }) : undefined)).catch(() => undefined);
    };
  };
  return { id, env: { [RUNTIME_ID_VARIABLE]: id }, dir, track };
}
