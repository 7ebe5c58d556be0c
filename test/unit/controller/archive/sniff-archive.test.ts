import test from 'ava';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { sniffArchive } from '../../../../controller/archive/sniff-archive.ts';
import { isSlipwayError } from '../../../../core/errors.ts';
import type { ArchiveFormat } from '../../../../core/types.ts';
import { tarOf, zipOf } from '../../../helpers/archives.ts';

/** Splits `bytes` into tiny chunks, so sniffing must gather the head across reads. */
const trickle = (bytes: Buffer) => Readable.from(Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7)));

const tar = await tarOf([{ name: 'a.txt', content: 'a' }]);
const detects = test.macro({
  async exec(t, bytes: Buffer, format: ArchiveFormat) {
    const sniffed = await sniffArchive(trickle(bytes));
    t.is(sniffed.format, format);
    t.deepEqual(await buffer(sniffed.body), bytes, 'every byte is still there, in order');
  },
  title: (title = '') => `detects ${title}`,
});

test('tar.gz by the gzip magic', detects, gzipSync(tar), 'tar.gz');
test('tar by ustar at offset 257', detects, tar, 'tar');
test('zip by its local header', detects, zipOf([{ name: 'a.txt', content: 'a' }]), 'zip');
test('the empty zip by its end record', detects, zipOf([]), 'zip');

const refuses = test.macro({
  async exec(t, bytes: Buffer) {
    const error = await t.throwsAsync(sniffArchive(Readable.from([bytes])));
    t.true(isSlipwayError(error, 'unsupported_archive'));
    t.is((error as { status?: number }).status, 415);
  },
  title: (title = '') => `refuses ${title}`,
});

test('plain text', refuses, Buffer.from('hello, this is not an archive at all '.repeat(20)));
test('an empty body', refuses, Buffer.alloc(0));
test('one byte', refuses, Buffer.from([0x1f]));
test('a PNG', refuses, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(600)]));
test('512 zero bytes (no ustar magic)', refuses, Buffer.alloc(512));
