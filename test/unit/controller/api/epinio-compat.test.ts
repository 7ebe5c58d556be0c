/**
 * Epinio's wire shapes: the `Kind` origin mapping, the `errors` array, the run status
 * mapping and the multipart `file` part, checked against epinio/epinio v1.14.1 models.
 */
import test from 'ava';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { fromEpinioOrigin, toEpinioOrigin } from '../../../../controller/api/epinio/epinio-origin.ts';
import { epinioErrors } from '../../../../controller/api/epinio/epinio-errors.ts';
import { runAnswer } from '../../../../controller/api/epinio/epinio-deployment.ts';
import { multipartBoundary, multipartFile } from '../../../../controller/api/epinio/multipart-file.ts';
import { toProblem } from '../../../../controller/api/problem-middleware.ts';
import { SlipwayError } from '../../../../core/errors.ts';
import type { Run } from '../../../../core/types.ts';

const kinds = test.macro((t, epinio: Parameters<typeof fromEpinioOrigin>[0], slipway: ReturnType<typeof fromEpinioOrigin>) => {
  t.deepEqual(fromEpinioOrigin(epinio), slipway);
});
test('Kind 1 is a path', kinds, { Kind: 1, path: '/home/me/app' }, { kind: 'path', path: '/home/me/app' });
test('Kind 2 is git, repository becoming url', kinds, { Kind: 2, git: { repository: 'https://x/r.git', revision: 'abc', branch: 'main' } }, { kind: 'git', url: 'https://x/r.git', revision: 'abc', branch: 'main' });
test('Kind 3 is a container image', kinds, { Kind: 3, container: 'nginx:1' }, { kind: 'container', image: 'nginx:1' });
test('Kind 0 is no origin', kinds, { Kind: 0 }, undefined);
test('Kind 2 without a repository is no origin', kinds, { Kind: 2, git: null }, undefined);

test('a Slipway origin maps back to Epinio\'s Kind', (t) => {
  t.deepEqual(toEpinioOrigin({ kind: 'git', url: 'https://x/r.git', branch: 'main' }), { Kind: 2, git: { repository: 'https://x/r.git', branch: 'main' } });
  t.deepEqual(toEpinioOrigin({ kind: 'path' }), { Kind: 1 });
  t.deepEqual(toEpinioOrigin(undefined), { Kind: 0 });
});

test('the errors array carries the actionable message as its title (all the CLI prints)', (t) => {
  const problem = toProblem(new SlipwayError('app_exists', 'application "a" already exists', { status: 409 }));
  t.deepEqual(epinioErrors(problem), [{ status: 409, title: 'application "a" already exists', details: 'app_exists' }]);
  t.deepEqual(epinioErrors(toProblem(new Error('secret'))), [{ status: 500, title: 'an unexpected error occurred; the server log has the details', details: 'internal' }]);
});

const run: Run = { id: 'r1', kind: 'deploy', phase: 'importing', startedAt: 't0', error: { code: 'x', message: 'broke' } };
test('a run answers Epinio\'s status beside its own phase; error is a string only for Epinio\'s runs', (t) => {
  t.like(runAnswer(run, 'ns', 'a'), { status: 'pending', phase: 'importing', app: { name: 'a', namespace: 'ns' }, error: { code: 'x', message: 'broke' } });
  t.like(runAnswer({ ...run, phase: 'failed', client: 'epinio' }, 'ns', 'a'), { status: 'failed', error: 'broke' });
});

test('the file part is streamed out of a multipart body cut into tiny chunks', async (t) => {
  const boundary = 'b'.repeat(60);
  const type = `multipart/form-data; boundary=${boundary}`;
  t.is(multipartBoundary(type), boundary);
  const file = Buffer.from(`tar bytes\r\n--${'b'.repeat(10)} not a boundary\r\n`.repeat(50));
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob.tar"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const chunks = Array.from({ length: Math.ceil(body.length / 7) }, (_, i) => body.subarray(i * 7, i * 7 + 7));
  t.deepEqual(await buffer(Readable.from(chunks).pipe(multipartFile(boundary))), file);
  await t.throwsAsync(buffer(Readable.from([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--${boundary}--\r\n`)]).pipe(multipartFile(boundary))), { message: /no "file" part/ });
});

test('a multipart body is capped as a whole, and an endless boundary line is refused, so memory stays bounded', async (t) => {
  const boundary = 'XyZ';
  // A delimiter never followed by its line end: refused once past the padding allowance, not held whole.
  async function* endlessDelimiterLine() {
    yield Buffer.from(`--${boundary}`);
    for (let i = 0; i < 1000; i += 1) yield Buffer.alloc(64 * 1024, 0x61);
  }
  await t.throwsAsync(buffer(Readable.from(endlessDelimiterLine()).pipe(multipartFile(boundary))), { message: /boundary line is too long/ });
  // A big preamble and a small file part: the body's own size is what counts.
  const body = Buffer.concat([
    Buffer.alloc(4096, 0x61),
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob.tar"\r\n\r\nsmall\r\n--${boundary}--\r\n`),
  ]);
  await t.throwsAsync(buffer(Readable.from([body]).pipe(multipartFile(boundary, 'file', 1024))), { message: /larger than 1024 bytes/ });
  t.deepEqual(await buffer(Readable.from([body]).pipe(multipartFile(boundary, 'file', 1 << 20))), Buffer.from('small'));
});
