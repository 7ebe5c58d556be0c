/**
 * An upload refused midway for its size reaches the CLI as the server's 413 problem,
 * every time — not as "cannot reach Slipway". The server reads and discards the rest
 * of the body for a moment after its answer (controller/api/linger-unread-body.ts);
 * closing at once made the client's kernel drop the answer on the reset that followed,
 * now and then (seen as a CI failure).
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { createApiClient } from '../../../cli/api-client.ts';
import type { CliError } from '../../../cli/cli-error.ts';
import { ADMIN_PASSWORD, startTestServer } from '../../helpers/test-server.ts';

test('twenty uploads of 8 MiB over a 1 MiB limit all end with the 413 problem', async (t) => {
  const server = await startTestServer({ SLIPWAY_MAX_UPLOAD_BYTES: String(1024 * 1024) });
  t.teardown(() => server.close());
  const client = createApiClient({ url: server.url, user: 'admin', password: ADMIN_PASSWORD });
  await client.createApp('workspace', { name: 'big' }).catch(() => {});
  // A real tar.gz whose one file is 8 MiB of random bytes (gzip cannot shrink it).
  const content = randomBytes(8 * 1024 * 1024);
  const eightMiB = () => {
    const archive = pack();
    archive.entry({ name: 'big.bin', size: content.length }, content);
    archive.finalize();
    return archive.pipe(createGzip());
  };
  const codes: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const error = await client.storeSource('workspace', 'big', Readable.from(eightMiB())).then(() => undefined, (e: CliError) => e);
    codes.push(error?.code ?? 'stored');
  }
  t.deepEqual(codes, Array(20).fill('too_large'));
});
