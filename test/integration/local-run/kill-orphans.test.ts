/**
 * killOrphans on real processes: what it ends (a recorded leader, a marked process in
 * any folder, a process inside the releases folder) and what it leaves alone (a
 * record whose pid now belongs to another process, a marker of another data folder).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killOrphans } from '../../../controller/adapters/local/kill-orphans.ts';
import { isRunning, readProcStat } from '../../../controller/adapters/local/run/proc-info.ts';
import { openProcessRecords, RUNTIME_ID_VARIABLE } from '../../../controller/adapters/local/run/process-records.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { eventually } from '../../helpers/app-request.ts';

const spawned: number[] = [];
test.after.always(() => {
  for (const pid of spawned) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

/** A detached process that sleeps in `cwd` with `env`; resolves with its pid and start time. */
async function sleeper(cwd: string, env: Record<string, string> = {}): Promise<{ pid: number; start: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, detached: true, stdio: 'ignore' });
  child.unref();
  spawned.push(child.pid!);
  const stat = await readProcStat(child.pid!);
  return { pid: child.pid!, start: stat!.start };
}

test('ends recorded leaders, marked processes and processes in the releases folder; spares reused pids and other folders\' markers', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-orphans-');
  t.teardown(cleanup);
  const releasesDir = join(dir, 'releases');
  await mkdir(join(releasesDir, 'ns', 'app'), { recursive: true });
  const records = await openProcessRecords(dir);
  const elsewhere = dir;

  const recorded = await sleeper(elsewhere);
  records.track(recorded.pid, 'app ns/app 1');
  const marked = await sleeper(elsewhere, records.env);
  const inside = await sleeper(join(releasesDir, 'ns', 'app'));
  const reused = await sleeper(elsewhere);
  // A record of this pid from an earlier process: the start time differs.
  await writeFile(join(records.dir, `${reused.pid}-${reused.start - 1}.json`), JSON.stringify({ pid: reused.pid, pgid: reused.pid, start: reused.start - 1, label: 'old' }));
  const foreign = await sleeper(elsewhere, { [RUNTIME_ID_VARIABLE]: 'another-data-folder' });
  await eventually(async () => (await readdir(records.dir)).length === 2, 'the record to be written');

  const killed = await killOrphans({ records, releasesDir });
  t.is(killed.groups, 3);
  t.deepEqual(killed.labels, ['app ns/app 1']);
  t.false(await isRunning(recorded.pid, recorded.start), 'the recorded leader is gone');
  t.false(await isRunning(marked.pid, marked.start), 'the marked process is gone');
  t.false(await isRunning(inside.pid, inside.start), 'the process in the releases folder is gone');
  t.true(await isRunning(reused.pid, reused.start), 'a process that got a recorded pid later is spared');
  t.true(await isRunning(foreign.pid, foreign.start), 'another data folder\'s process is spared');
  t.deepEqual(await readdir(records.dir), [], 'the records are cleared');
});

test('a record is forgotten once its process is', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-orphans-');
  t.teardown(cleanup);
  const records = await openProcessRecords(dir);
  const again = await openProcessRecords(dir);
  t.is(again.id, records.id, 'the data folder keeps its id');
  const one = await sleeper(dir);
  const forget = records.track(one.pid, 'app ns/app 1');
  await eventually(async () => (await readdir(records.dir)).length === 1, 'the record to be written');
  forget();
  await eventually(async () => (await readdir(records.dir)).length === 0, 'the record to be removed');
  t.pass();
});
