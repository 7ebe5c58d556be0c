/** Depth-limited strict JSON parsing of raw webhook bytes. */
import test from 'ava';
import { isSlipwayError } from '../../../core/errors.ts';
import { jsonDepth, parsePayload } from '../../../webhooks/parse-payload.ts';

test('depth counts brackets outside strings only, escaped quotes included', (t) => {
  t.is(jsonDepth('{"a":[1,{"b":2}]}'), 3);
  t.is(jsonDepth('"[[[["'), 0);
  t.is(jsonDepth('{"a":"\\"[[[","b":[]}'), 2);
  t.is(jsonDepth('1'), 0);
});

test('depth stops counting once over the limit', (t) => {
  t.is(jsonDepth('['.repeat(1_000_000), 10), 11);
});

test('parses strict UTF-8 JSON and keeps the text byte-exact', (t) => {
  const body = Buffer.from('{"name":"Zoë ✓"}');
  const { text, value } = parsePayload(body);
  t.deepEqual(value, { name: 'Zoë ✓' });
  t.true(Buffer.from(text).equals(body));
});

test('a byte-order mark is kept, so it cannot slip past the signature, and refused as JSON', (t) => {
  const error = t.throws(() => parsePayload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])));
  t.true(isSlipwayError(error, 'invalid_payload'));
});

test('exactly at the depth limit parses; one more is refused', (t) => {
  t.notThrows(() => parsePayload(Buffer.from('['.repeat(64) + ']'.repeat(64))));
  t.true(isSlipwayError(t.throws(() => parsePayload(Buffer.from('['.repeat(65) + ']'.repeat(65)))), 'invalid_payload'));
});
