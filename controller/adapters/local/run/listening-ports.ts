/**
 * The TCP ports a process tree listens on, read from /proc: the socket inodes in each
 * process's /proc/<pid>/fd, matched against the LISTEN rows of /proc/<pid>/net/tcp and
 * tcp6 (which list every socket of the network namespace). Lets the local runtime tell
 * an app that listens on a hard-coded port (3000) from one still starting, within
 * seconds instead of at the readiness deadline (issue 16). Answers [] where there is
 * no /proc (not Linux) or nothing is readable.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { listPids, readProcStat } from './proc-info.ts';

/** State code of a listening socket in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN = 10). */
const LISTEN = '0A';

/** Ports (sorted, unique) that the process group led by `leader` listens on. */
export async function listeningPorts(leader: number): Promise<number[]> {
  const pids = await groupMembers(leader);
  const inodes = new Set<string>();
  for (const pid of pids) for (const inode of await socketInodes(pid)) inodes.add(inode);
  if (inodes.size === 0) return [];
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${leader}/net/${table}`, 'utf8').catch(() => '');
    for (const row of text.split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (fields[3] !== LISTEN || !inodes.has(fields[9] ?? '')) continue;
      const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
      if (Number.isInteger(port)) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * The leader and every process of its group: the local runtime starts an app as a
 * group leader (detached), and `npm start` or `sh -c` put the real server a level or
 * two below it.
 */
async function groupMembers(leader: number): Promise<number[]> {
  const members = [leader];
  for (const pid of await listPids()) {
    if (pid === leader) continue;
    const stat = await readProcStat(pid);
    if (stat?.pgid === leader) members.push(pid);
  }
  return members;
}

async function socketInodes(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const inodes: string[] = [];
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.push(match[1]!);
  }
  return inodes;
}
