/**
 * Issue 9, item 5: what a killed process leaves (a git import's shallow pack under
 * `<data>/tmp`, a half-written blob's `.<uuid>.tmp`, an atomic write's temp file, a
 * half-deleted namespace) is removed when the real `slipway server` process starts,
 * and logged with count and bytes; real data and files that are not Slipway's stay.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const exists = (path: string) => access(path).then(() => true, () => false);

test('leftovers of a killed server are removed at the next start, and logged', async (t) => {
  const { dir, cleanup } = await makeTempDir('slipway-data-leftovers-');
  t.teardown(cleanup);
  const put = async (path: string, bytes: number) => {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), Buffer.alloc(bytes, 7));
  };
  const blob = randomUUID();
  const dead = randomUUID();
  const leftovers: Array<[string, number]> = [
    ['tmp/slipway-git-Ab12Cd/shallow.pack', 300_000],
    ['tmp/slipway-spool-Xy98Zw/upload', 20_000],
    [`blobs/sources/workspace/web/.${dead}.tmp`, 50_000],
    [`blobs/sources/workspace/web/.${dead}.tmp.meta`, 30],
    ['state/namespaces/workspace/apps/web.json.0123456789ab.tmp', 100],
    ['state/.deleted-gone-1700000000000/apps/x.json', 200],
    ['secrets.json.abcdef012345.tmp', 10],
  ];
  const kept: Array<[string, number]> = [
    ['tmp/not-ours.txt', 5],
    [`blobs/sources/workspace/web/${blob}`, 4_000],
    [`blobs/sources/workspace/web/.${blob}.meta.json`, 40],
  ];
  for (const [path, bytes] of [...leftovers, ...kept]) await put(path, bytes);

  const server = await startServerProcess({ SLIPWAY_DATA_DIR: dir, SLIPWAY_ADMIN_PASSWORD: 'data-leftovers-password', SLIPWAY_RUNTIME: 'none' });
  t.teardown(() => server.stop());

  for (const [path] of leftovers) t.false(await exists(join(dir, path)), `${path} is removed`);
  t.false(await exists(join(dir, 'tmp/slipway-git-Ab12Cd')), 'the whole import folder goes');
  t.false(await exists(join(dir, 'state/.deleted-gone-1700000000000')));
  for (const [path] of kept) t.true(await exists(join(dir, path)), `${path} stays`);

  const line = server.stdout().split('\n').find((l) => l.includes('leftovers of an interrupted run'));
  t.truthy(line, server.stdout());
  const log = JSON.parse(line!);
  // Folders count once: the git and spool folders, the namespace's trash, and four files.
  t.is(log.removed, 7);
  t.is(log.bytes, leftovers.reduce((sum, [, bytes]) => sum + bytes, 0));
  t.deepEqual(Object.keys(log.places).sort(), ['blobs', 'data', 'state', 'tmp']);
  t.like(log.places.blobs, { count: 2, bytes: 50_030 });
});
