/**
 * Peak memory of the real server during a large upload: `slipway server` runs as its
 * own process (as users run it), and a 200 MB tar.gz of incompressible data, generated
 * on the fly and never held in memory, is POSTed to `…/store` over HTTP. The server
 * streams it through validation into the S3 store (fauxqs, in this bench process, so
 * its memory is not counted) and then into the filesystem store. The figure is the
 * server's peak RSS (VmHWM) after the upload, next to its RSS when idle. Target: < 150 MB.
 * The server runs with the same V8 flag and MALLOC_ARENA_MAX as `npm start`.
 *
 *   node bench/upload-rss.ts [megabytes]
 */
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incompressibleTarGzStream } from '../test/helpers/archives.ts';
import { startS3Emulator } from '../test/helpers/s3-emulator.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';

const MiB = 2 ** 20;
const PASSWORD = 'bench-admin-password';
const auth = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` };

async function peakRssMiB(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function run(kind: 's3' | 'filesystem', megabytes: number, s3Endpoint: string): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-bench-upload-'));
  const env: Record<string, string> = {
    SLIPWAY_DATA_DIR: dataDir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_MAX_UPLOAD_BYTES: String(4096 * MiB),
    SLIPWAY_MAX_UNPACKED_BYTES: String(4096 * MiB), SLIPWAY_LOG_LEVEL: 'warn',
  };
  if (kind === 's3') Object.assign(env, { SLIPWAY_S3_ENDPOINT: s3Endpoint, SLIPWAY_S3_BUCKET: 'bench', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  const server = await startServerProcess(env);
  try {
    const app = `${server.url}/api/v1/namespaces/workspace/applications`;
    await fetch(app, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'big' }) });
    const idle = await peakRssMiB(server.child.pid!);
    const started = performance.now();
    const response = await fetch(`${app}/big/store`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/gzip' },
      body: Readable.toWeb(incompressibleTarGzStream(megabytes * MiB)) as ReadableStream, duplex: 'half',
    } as RequestInit);
    const result = await response.json() as { size?: number; code?: string };
    const seconds = (performance.now() - started) / 1000;
    if (response.status !== 200) throw new Error(`upload failed: ${response.status} ${JSON.stringify(result)}`);
    const after = await peakRssMiB(server.child.pid!);
    const verdict = after.peak < 150 ? 'ok' : 'OVER TARGET';
    console.log(`${kind.padEnd(10)}: ${(result.size! / MiB).toFixed(0)} MiB in ${seconds.toFixed(1)} s = ${(result.size! / MiB / seconds).toFixed(1)} MiB/s; ` +
      `server RSS idle ${idle.now.toFixed(0)} MiB, peak ${after.peak.toFixed(0)} MiB (target < 150: ${verdict})`);
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const megabytes = Number(process.argv[2] ?? 200);
const emulator = await startS3Emulator();
try {
  await run('s3', megabytes, emulator.endpoint);
  await run('filesystem', megabytes, emulator.endpoint);
} finally {
  await emulator.close();
}
