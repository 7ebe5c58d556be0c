/**
 * Start-up clean-up of what a killed process (kill -9, OOM, power loss) leaves behind
 * and nothing else ever removes: git imports' and uploads' temp folders under
 * `<data>/tmp` (a shallow pack can weigh hundreds of MB), the blob store's temp files
 * (or incomplete multipart uploads on S3), atomic-write temp files and half-deleted
 * namespaces of the file state store. It runs before the server serves, so nothing of
 * this process is using them; the data folder belongs to one server process (on
 * Kubernetes it is each pod's own emptyDir), while S3 is shared, which is why the blob
 * store ages its uploads instead of removing them all. A failure is logged and the
 * start goes on: leftovers cost disk, not correctness.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/ports/logger.ts';
import { removeCounting, sumRemoved, type Removed } from './remove-counting.ts';

/** What {@link cleanLeftovers} needs. */
export interface CleanLeftoversDeps {
  /** `<data>`: its own atomic-write temp files (users.json, secrets.json, admin-password). */
  dataDir: string;
  /** `<data>/tmp`: only Slipway's `slipway-*` entries are removed, in case it is shared. */
  tmpDir: string;
  /** The file state store's folder; absent on Kubernetes, where state is in the API server. */
  stateDir?: string;
  /** The blob store, when it can clean its own leftovers. */
  blobs: { cleanLeftovers?(): Promise<Removed> };
  logger: Logger;
}

/** What `writeFileAtomic` names its temp file: `<file>.<12 hex>.tmp`. */
const ATOMIC_TEMP = /\.[0-9a-f]{12}\.tmp$/;

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function cleanTmp(tmpDir: string): Promise<Removed> {
  const found = (await entries(tmpDir)).filter((e) => e.name.startsWith('slipway-'));
  return sumRemoved(await Promise.all(found.map((e) => removeCounting(join(tmpDir, e.name)))));
}

async function cleanAtomicTemps(dir: string, recursive: boolean): Promise<Removed> {
  const parts: Removed[] = [];
  for (const entry of await entries(dir)) {
    const path = join(dir, entry.name);
    if (entry.isFile() && (ATOMIC_TEMP.test(entry.name) || entry.name === '.ready-probe')) parts.push(await removeCounting(path));
    else if (entry.isDirectory() && recursive) parts.push(await cleanAtomicTemps(path, true));
  }
  return sumRemoved(parts);
}

async function cleanState(stateDir: string): Promise<Removed> {
  // A namespace deletion renames the folder to `.deleted-<ns>-<ms>` before removing it.
  const trash = (await entries(stateDir)).filter((e) => e.isDirectory() && e.name.startsWith('.deleted-'));
  const removed = await Promise.all(trash.map((e) => removeCounting(join(stateDir, e.name))));
  return sumRemoved([...removed, await cleanAtomicTemps(stateDir, true)]);
}

/** Removes the leftovers and logs what it removed (count and bytes, per place). */
export async function cleanLeftovers(deps: CleanLeftoversDeps): Promise<Removed> {
  const places: Array<[string, () => Promise<Removed>]> = [
    ['tmp', () => cleanTmp(deps.tmpDir)],
    ['data', () => cleanAtomicTemps(deps.dataDir, false)],
    ...(deps.stateDir ? [['state', () => cleanState(deps.stateDir!)] as [string, () => Promise<Removed>]] : []),
    ...(deps.blobs.cleanLeftovers ? [['blobs', () => deps.blobs.cleanLeftovers!()] as [string, () => Promise<Removed>]] : []),
  ];
  const report: Record<string, Removed> = {};
  for (const [place, clean] of places) {
    try {
      report[place] = await clean();
    } catch (error) {
      deps.logger.warn({ place, err: String((error as Error)?.message ?? error) }, `could not clean the leftovers in ${place}; going on`);
    }
  }
  const total = sumRemoved(Object.values(report));
  if (total.count > 0) {
    const found = Object.fromEntries(Object.entries(report).filter(([, r]) => r.count > 0));
    deps.logger.warn({ removed: total.count, bytes: total.bytes, places: found },
      `removed ${total.count} leftovers of an interrupted run (${total.bytes} bytes)`);
  }
  return total;
}
