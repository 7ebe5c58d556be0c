import test from 'ava';
import { storageError } from '../../../core/error-cases.ts';
import { toProblem } from '../../../controller/api/problem-middleware.ts';

const errno = (code: string, path?: string) => Object.assign(new Error(`${code}: something, open '${path}'`), { code, path });

const maps = test.macro((t, code: string, expected: { code: string; status: number } | undefined) => {
  const mapped = storageError(errno(code), '/data/state');
  if (!expected) return t.is(mapped, undefined);
  t.like(mapped, { ...expected, expose: true, retry: 'waiting' });
  t.true(mapped!.message.includes('/data/state'), 'the message names the folder');
});
for (const [code, expected] of [
  ['ENOSPC', { code: 'storage_full', status: 507 }],
  ['EDQUOT', { code: 'storage_full', status: 507 }],
  ['EROFS', { code: 'storage_read_only', status: 503 }],
  ['EACCES', { code: 'storage_read_only', status: 503 }],
  ['EPERM', { code: 'storage_read_only', status: 503 }],
  ['ENOENT', undefined],
  ['EIO', undefined],
] as const) test(`storageError maps ${code}`, maps, code, expected);

test('a raw ENOSPC or EROFS reaching the problem middleware names the folder; EACCES stays internal', (t) => {
  t.like(toProblem(errno('ENOSPC', '/data/tmp/slipway-spool-x/upload')), { status: 507, code: 'storage_full' });
  t.true(toProblem(errno('ENOSPC', '/data/tmp/slipway-spool-x/upload')).detail.includes('/data/tmp/slipway-spool-x'));
  t.like(toProblem(errno('EROFS', '/data/tmp/x')), { status: 503, code: 'storage_read_only' });
  t.like(toProblem(errno('EACCES', '/usr/bin/node')), { status: 500, code: 'internal' });
});
