import test from 'ava';
import { parseInterval } from '../../../../controller/watch/parse-interval.ts';
import { isSlipwayError } from '../../../../core/errors.ts';

const parses = test.macro({
  exec(t, text: string | undefined, expected: number) {
    t.is(parseInterval(text), expected);
  },
  title: (given, text: string | undefined, expected: number) => given ?? `"${text}" is ${expected} ms`,
});

test(parses, undefined, 60_000);
test(parses, '', 60_000);
test(parses, '30s', 30_000);
test(parses, '1m', 60_000);
test(parses, '1h', 3_600_000);
test(parses, '1m30s', 90_000);
test(parses, ' 2m ', 120_000);
test('below the minimum is raised to 10 s', parses, '1s', 10_000);
test('a lower minimum (tests) is honoured', (t) => t.is(parseInterval('2s', 1_000), 2_000));

const refuses = test.macro({
  exec(t, text: string) {
    const error = t.throws(() => parseInterval(text), { message: /not a duration/ });
    t.true(isSlipwayError(error, 'invalid_request'));
  },
  title: (_given, text: string) => `"${text}" is refused`,
});

for (const text of ['1', 'm', '1d', '-1m', '1 m', '0s', 'soon', '1m;rm']) test(refuses, text);
