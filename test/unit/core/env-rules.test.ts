import test from 'ava';
import { environmentProblem, MAX_ENV_TOTAL_BYTES, MAX_ENV_VALUE_BYTES, MAX_ENV_VARS } from '../../../core/env-rules.ts';

test('an ordinary environment passes', (t) => {
  t.is(environmentProblem({ DATABASE_URL: 'postgres://db/app', EMPTY: '', UNICODE: 'ünïcødé' }), undefined);
  t.is(environmentProblem({ BIG: 'x'.repeat(MAX_ENV_VALUE_BYTES) }), undefined);
});

test('a NUL byte, which no process can receive, is refused naming the variable', (t) => {
  t.regex(environmentProblem({ SECRET: 'abc\0def' })!, /^SECRET: .*NUL/);
});

test('a value over the per-variable limit is refused in bytes, not characters', (t) => {
  // 30,000 characters of "€" are 90,000 UTF-8 bytes: over 64 KiB although under 65,536 characters.
  t.regex(environmentProblem({ EURO: '€'.repeat(30_000) })!, /^EURO: a value is at most 65536 bytes \(got 90000\)/);
});

test('an environment over the total limit or the variable count is refused', (t) => {
  const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`V${i}`, 'x'.repeat(MAX_ENV_VALUE_BYTES)]));
  t.regex(environmentProblem(many)!, new RegExp(`at most ${MAX_ENV_TOTAL_BYTES} bytes in all`));
  const count = Object.fromEntries(Array.from({ length: MAX_ENV_VARS + 1 }, (_, i) => [`V${i}`, '']));
  t.regex(environmentProblem(count)!, /at most 1000 variables/);
});
