import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsBlobStore } from '../../../controller/adapters/blob/fs-blob-store.ts';
import { blobStoreContract } from './blob-store-contract.ts';

const dir = await mkdtemp(join(tmpdir(), 'slipway-fs-blobs-'));
test.after.always(() => rm(dir, { recursive: true, force: true }));
const store = createFsBlobStore({ dir });

/** Every file under the prefix's folder, temp files and sidecars included. */
async function leftovers(prefix: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, prefix), { recursive: true, withFileTypes: true })).filter((e) => !e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

blobStoreContract(test, 'filesystem', async () => ({ store, leftovers }));
