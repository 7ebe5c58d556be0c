import { readdir, readFile } from 'node:fs/promises';

/** Pids of processes in group `pgid` that are still alive (zombies waiting to be reaped do not count). Linux only. */
export async function livingGroupMembers(pgid: number): Promise<number[]> {
  const living: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name, which is in parentheses and may hold spaces.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z' && state !== 'X') living.push(Number(entry));
  }
  return living;
}

/** Polls until `check` is true or `ms` pass; returns its last value. */
export async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
