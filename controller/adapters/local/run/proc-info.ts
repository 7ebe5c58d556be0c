/**
 * What Linux tells about another process through /proc: its process group, its start
 * time and its environment. Used to recognise processes the local runtime started, so
 * a server restarted after a crash can end them. Every reader answers undefined when
 * the process is gone, not ours to read, or /proc does not exist (not Linux).
 */
import { readFile, readdir } from 'node:fs/promises';

/** Fields of /proc/<pid>/stat that identify a process for good. */
export interface ProcStat {
  pid: number;
  /** Parent pid (field 4). */
  ppid: number;
  /** Process group id (field 5). */
  pgid: number;
  /**
   * Start time in clock ticks after boot (field 22). A pid is reused once its process
   * is gone, but the pair (pid, start) never is: this is what makes a record safe.
   */
  start: number;
  /** State letter (field 3); `Z` is a zombie: dead, only not yet reaped. */
  state: string;
}

/** Reads /proc/<pid>/stat. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  // The command name (field 2) is in parentheses and may itself hold spaces and ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const pgid = Number(fields[2]);
  const start = Number(fields[19]);
  if (!Number.isInteger(pgid) || !Number.isInteger(start)) return undefined;
  return { pid, ppid: Number(fields[1]), pgid, start, state: fields[0] ?? '' };
}

/** True while the process (pid, start) runs: not gone, not a zombie, and not a newer process that got its pid. */
export async function isRunning(pid: number, start: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== undefined && stat.start === start && stat.state !== 'Z';
}

/** The `NAME=value` entries a process was started with (/proc/<pid>/environ). */
export async function readEnviron(pid: number): Promise<string[] | undefined> {
  const raw = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => undefined);
  return raw === undefined ? undefined : raw.split('\0');
}

/** The pids under /proc, or [] where there is no /proc. */
export async function listPids(): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  return entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
}
