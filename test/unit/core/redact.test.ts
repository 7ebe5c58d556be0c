import test from 'ava';
import { redact } from '../../../core/redact.ts';

const cases: [string, string][] = [
  ['https://user:ghp_token@github.com/o/r.git', 'https://***@github.com/o/r.git'],
  ['fetch https://token@git.example.com/r failed', 'fetch https://***@git.example.com/r failed'],
  ['https://h/r?access_token=abc&x=1', 'https://h/r?access_token=***&x=1'],
  ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic ***'],
  ['https://github.com/o/r.git', 'https://github.com/o/r.git'],
  ['https://user:p@ssw0rd@github.com/o/r', 'https://***@github.com/o/r'],
  ['https://github.com/o/r/blob/a@b', 'https://github.com/o/r/blob/a@b'],
];

for (const [input, expected] of cases) {
  test(`redacts ${expected}`, (t) => {
    t.is(redact(input), expected);
  });
}
