import { PassThrough } from 'node:stream';
import test from 'ava';
import type { LogLine } from '../../../../../../core/ports/runtime.ts';
import { createOutputLines, MAX_LINE_CHARS, TAIL_LINES } from '../../../../../../controller/adapters/local/run/output-lines.ts';

function setup(maxBytesPerSecond?: number) {
  const lines: Omit<LogLine, 'time'>[] = [];
  let now = 0;
  const output = createOutputLines({ source: '1', log: (line) => lines.push(line), maxBytesPerSecond, now: () => now });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  output.attach(stdout, 'stdout');
  output.attach(stderr, 'stderr');
  return { lines, output, stdout, stderr, advance: (ms: number) => (now += ms) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('chunks become lines, split across chunk boundaries, per stream', async (t) => {
  const { lines, output, stdout, stderr } = setup();
  stdout.write('hel');
  stdout.write('lo\r\nwor');
  stderr.write('oops\n');
  stdout.write('ld');
  await flush();
  output.finish();
  t.deepEqual(lines, [
    { stream: 'stdout', source: '1', text: 'hello' },
    { stream: 'stderr', source: '1', text: 'oops' },
    { stream: 'stdout', source: '1', text: 'world' },
  ]);
});

test('an endless line is cut, so the buffer stays bounded', async (t) => {
  const { lines, stdout } = setup();
  stdout.write('y'.repeat(MAX_LINE_CHARS * 2 + 5));
  await flush();
  t.deepEqual(lines.map((line) => line.text.length), [MAX_LINE_CHARS, MAX_LINE_CHARS]);
});

test('output over the rate is dropped with notes, and flows again after a second', async (t) => {
  const { lines, output, stdout, advance } = setup(100);
  for (let i = 0; i < 20; i++) stdout.write(`line ${String(i).padStart(4, '0')}\n`);
  await flush();
  t.is(lines.filter((line) => line.stream === 'stdout').length, 10);
  t.deepEqual(lines.filter((line) => line.stream === 'system').map((line) => line.text), ['output over 100 bytes/s: dropping lines']);
  advance(1000);
  stdout.write('back\n');
  await flush();
  t.deepEqual(lines.slice(-2).map((line) => line.text), ['output over 100 bytes/s: 100 bytes dropped', 'back']);
  // The tail keeps the newest lines, dropped ones too: the end of a crash matters most.
  t.is(output.tail().length, Math.min(21, TAIL_LINES));
  t.is(output.tail().at(-2), 'line 0019');
});

test('the first error line is kept after the tail has moved past it', async (t) => {
  const { output, stderr } = setup();
  stderr.write('Error: boom: DATABASE_URL is not set\n');
  for (let i = 0; i < TAIL_LINES + 5; i++) stderr.write(`    at frame ${i}\n`);
  stderr.write('Error: a later one\n');
  await flush();
  output.finish();
  t.false(output.tail().includes('Error: boom: DATABASE_URL is not set'));
  t.is(output.firstError(), 'Error: boom: DATABASE_URL is not set');
});
