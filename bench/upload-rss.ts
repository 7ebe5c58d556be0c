/**
 * Peak memory and throughput of `storeUpload`: a 200 MB tar.gz of incompressible data,
 * generated on the fly (never held in memory), streams through validation into the S3
 * store (fauxqs) and into the filesystem store. The measured upload runs in a child
 * process that reads the archive from its stdin, as the server reads a request body;
 * the generator and fauxqs run in this parent, so their memory (fauxqs keeps objects
 * in memory) is not counted. Target: child peak RSS < 150 MB.
 *
 *   node bench/upload-rss.ts [megabytes] [--tight-heap]
 *
 * Peak RSS does not grow with the archive's size (50 MB and 200 MB peak alike); most
 * of it is garbage V8 has not collected yet. `--tight-heap` runs the child with a small
 * heap (--max-semi-space-size=2 --max-old-space-size=48) to show the retained part.
 */
import { spawn } from 'node:child_process';
import { buffer } from 'node:stream/consumers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFsBlobStore } from '../controller/adapters/blob/fs-blob-store.ts';
import { createS3Client } from '../controller/adapters/blob/create-s3-client.ts';
import { createS3BlobStore } from '../controller/adapters/blob/s3-blob-store.ts';
import { storeUpload } from '../controller/pipeline/store-upload.ts';
import type { BlobStore } from '../core/ports/blob-store.ts';
import { incompressibleTarGzStream } from '../test/helpers/archives.ts';
import { emulatorCredentials, startS3Emulator } from '../test/helpers/s3-emulator.ts';

const MiB = 2 ** 20;
const limits = { uploadBytes: 4096 * MiB, unpackedBytes: 4096 * MiB, archiveEntries: 1000 };

/** Child: one upload, then one JSON line with the figures. */
async function measure(kind: string, target: string): Promise<void> {
  const tmpDir = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
  let blobs: BlobStore;
  if (kind === 's3') {
    const s3 = createS3BlobStore({
      client: createS3Client({ endpoint: target, region: 'us-east-1', forcePathStyle: true, credentials: emulatorCredentials }),
      bucket: 'bench', partBytes: 8 * MiB,
    });
    await s3.ensureBucket();
    blobs = s3;
  } else {
    blobs = createFsBlobStore({ dir: target });
  }
  const started = performance.now();
  const stored = await storeUpload({ blobs, limits, tmpDir }, { namespace: 'bench', app: 'app', body: process.stdin });
  const seconds = (performance.now() - started) / 1000;
  await rm(tmpDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ kind, bytes: stored.size, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

/** Parent: runs the emulator and one child per store, prints a table. */
async function main(megabytes: number, nodeFlags: string[]): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const emulator = await startS3Emulator();
  const fsDir = await mkdtemp(join(tmpdir(), 'slipway-bench-blobs-'));
  try {
    for (const [kind, target] of [['s3', emulator.endpoint], ['fs', fsDir]]) {
      // Asynchronous on purpose: fauxqs answers from this process's event loop.
      const child = spawn(process.execPath, [...nodeFlags, self, 'child', kind, target], { stdio: ['pipe', 'pipe', 'inherit'] });
      incompressibleTarGzStream(megabytes * MiB).pipe(child.stdin);
      const [output, code] = await Promise.all([buffer(child.stdout), new Promise((resolve) => child.on('close', resolve))]);
      if (code !== 0) throw new Error(`the ${kind} child exited with ${String(code)}`);
      const out = output.toString('utf8');
      const r = JSON.parse(out.trim().split('\n').pop()!) as { kind: string; bytes: number; seconds: number; maxRssMiB: number };
      const verdict = r.maxRssMiB < 150 ? 'ok' : 'OVER TARGET';
      console.log(`${r.kind === 's3' ? 'S3 (fauxqs)' : 'filesystem '}: ${(r.bytes / MiB).toFixed(0)} MiB in ${r.seconds.toFixed(1)} s ` +
        `= ${(r.bytes / MiB / r.seconds).toFixed(1)} MiB/s; child peak RSS ${r.maxRssMiB.toFixed(0)} MiB (target < 150: ${verdict})`);
    }
  } finally {
    await emulator.close();
    await rm(fsDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await measure(process.argv[3]!, process.argv[4]!);
else {
  const args = process.argv.slice(2);
  const tight = args.includes('--tight-heap');
  const megabytes = Number(args.find((a) => !a.startsWith('--')) ?? 200);
  await main(megabytes, tight ? ['--max-semi-space-size=2', '--max-old-space-size=48'] : []);
}
