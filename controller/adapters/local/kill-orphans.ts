/**
 * Apps run in their own process groups, so they outlive a server killed with SIGKILL.
 * At start the local runtime ends such leftovers: every process whose working folder
 * is inside the runtime's releases folder gets its group killed. Linux only (/proc);
 * elsewhere it does nothing.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

/** Kills the process groups of processes running inside `releasesDir`; returns how many groups. */
export async function killOrphans(releasesDir: string): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return 0;
  }
  const groups = new Set<number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => undefined);
    if (cwd === undefined || !(cwd === releasesDir || cwd.startsWith(`${releasesDir}/`))) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 5 of /proc/<pid>/stat is the process group id (after "pid (comm) state ppid").
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    if (pgid > 1 && pgid !== process.pid) groups.add(pgid);
  }
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return groups.size;
}
