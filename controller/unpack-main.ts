/**
 * Composition root of `slipway unpack --blob KEY --to DIR`, the command the staging
 * Job's init container runs in Slipway's own image (docs/kubernetes.md): reads the blob
 * store settings and archive limits from the environment (core/config.ts; S3
 * credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY through the SDK's
 * default chain), fetches the blob and unpacks it safely into DIR.
 *
 * Output is for a pod log: progress lines on stderr, then either exit 0 or one line
 * `slipway unpack: <message> (<code>)` and exit 1. Usage mistakes exit 2, like the
 * rest of the CLI. Loaded lazily by cli/bin.ts, so client commands never load it.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig, type Config } from '../core/config.ts';
import { isSlipwayError } from '../core/errors.ts';
import type { BlobStore } from '../core/ports/blob-store.ts';
import { redact } from '../core/redact.ts';
import { assertBlobKey } from './adapters/blob/assert-blob-key.ts';
import { createFsBlobStore } from './adapters/blob/fs-blob-store.ts';
import { unpackBlob } from './unpack/unpack-blob.ts';

/** Where `slipway unpack` writes. */
export interface UnpackIo {
  stderr: { write(text: string): unknown };
}

const USAGE = 'usage: slipway unpack --blob <key> --to <dir>   (fetches a stored source archive and unpacks it safely into <dir>)';

async function openBlobStore(config: Config): Promise<BlobStore> {
  if (config.blobStore.kind === 'filesystem') return createFsBlobStore({ dir: resolve(config.blobStore.dir) });
  // Loaded only for S3: the AWS SDK costs ~30 MB and the filesystem store needs none of it.
  const [{ createS3BlobStore }, { createS3Client }] = await Promise.all([
    import('./adapters/blob/s3-blob-store.ts'), import('./adapters/blob/create-s3-client.ts'),
  ]);
  const { endpoint, region, forcePathStyle, bucket, partBytes } = config.blobStore;
  // No ensureBucket: this step only reads, and a missing bucket is an error to report.
  return createS3BlobStore({ client: createS3Client({ endpoint, region, forcePathStyle }), bucket, partBytes });
}

/** One line for the pod log; config problems are joined, other messages redacted. */
function describe(error: unknown): string {
  if (isSlipwayError(error)) {
    const problems = error.data.problems;
    const message = error.code === 'invalid_config' && Array.isArray(problems)
      ? `invalid configuration: ${problems.join('; ')} (see docs/configuration.md)`
      : error.message.replace(/\s*\n\s*/g, ' ');
    return `${redact(message)} (${error.code})`;
  }
  // Not ours (a file system or SDK error): its message may carry request details.
  const code = (error as NodeJS.ErrnoException)?.code;
  return `${redact(String((error as Error)?.message ?? error)).split('\n')[0]}${code ? ` (${code})` : ''}`;
}

/**
 * Runs `slipway unpack` with `args` (the words after `unpack`) and `env`; returns the
 * exit code: 0 done, 1 failed (missing blob, unsafe archive, bad configuration, store
 * unreachable), 2 usage.
 */
export async function runUnpack(args: string[], env: Record<string, string | undefined>, io: UnpackIo): Promise<number> {
  const say = (line: string) => { io.stderr.write(`${line}\n`); };
  let options: { blob?: string; to?: string; help?: boolean };
  try {
    ({ values: options } = parseArgs({
      args, strict: true, allowPositionals: false,
      options: { blob: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    say(`slipway unpack: ${(error as Error).message}`);
    say(USAGE);
    return 2;
  }
  if (options.help) {
    say(USAGE);
    return 0;
  }
  if (!options.blob || !options.to) {
    say(`slipway unpack: ${!options.blob ? '--blob' : '--to'} is required`);
    say(USAGE);
    return 2;
  }
  try {
    const config = parseConfig(env);
    const key = assertBlobKey(options.blob);
    const blobs = await openBlobStore(config);
    await unpackBlob({ blobs, key, dest: options.to, limits: config.limits, progress: say });
    return 0;
  } catch (error) {
    say(`slipway unpack: ${describe(error)}`);
    return 1;
  }
}
