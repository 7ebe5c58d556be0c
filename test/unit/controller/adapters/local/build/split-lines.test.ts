import test from 'ava';
import { createLineSplitter } from '../../../../../../controller/adapters/local/build/split-lines.ts';

const splits = test.macro({
  exec(t, chunks: Array<string | Buffer>, expected: string[], max?: number) {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line), max);
    for (const chunk of chunks) splitter.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    splitter.end();
    t.deepEqual(lines, expected);
  },
  title: (title = '') => `splits ${title}`,
});

test('lines across chunks', splits, ['one\ntw', 'o\nthr', 'ee\n'], ['one', 'two', 'three']);
test('CRLF endings', splits, ['a\r\nb\r', '\n'], ['a', 'b']);
test('a partial last line at the end', splits, ['done\nno newline'], ['done', 'no newline']);
test('empty lines', splits, ['\n\nx\n'], ['', '', 'x']);
test('a UTF-8 character split between chunks', splits, [Buffer.from([0x68, 0xc3]), Buffer.from([0xa9, 0x0a])], ['hé']);
test('an over-long line into pieces, even before its newline', splits, ['abcdefg', 'hij\nk'], ['abcd', 'efgh', 'ij', 'k'], 4);
test('nothing into nothing', splits, [], []);
