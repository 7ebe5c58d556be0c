import test from 'ava';
import type { LogLine } from '../../../../../../core/ports/runtime.ts';
import { createBuildLog, TAIL_LINES } from '../../../../../../controller/adapters/local/build/build-log.ts';

test('forwards output until the budget is spent, then says so once and keeps the tail', (t) => {
  const lines: Array<Omit<LogLine, 'time'>> = [];
  const log = createBuildLog((line) => lines.push(line), 100);
  for (let i = 0; i < 50; i++) log.output('stdout', `line ${i} ........`, 'build');
  log.system('still heard');
  const forwarded = lines.filter((line) => line.stream === 'stdout');
  t.true(forwarded.reduce((sum, line) => sum + line.text.length + 1, 0) <= 100);
  t.deepEqual(lines.filter((line) => line.stream === 'system').map((line) => line.text),
    ['output truncated after 100 bytes; the build keeps running', 'still heard']);
  t.is(log.tail().length, TAIL_LINES);
  t.is(log.tail().at(-1), 'line 49 ........');
});

test('redacts credentials in forwarded lines and in the tail', (t) => {
  const lines: Array<Omit<LogLine, 'time'>> = [];
  const log = createBuildLog((line) => lines.push(line), 1000);
  log.output('stderr', 'GET https://user:s3cret@registry.example/pkg', 'install');
  t.false(JSON.stringify(lines).includes('s3cret'));
  t.false(log.tail().join('\n').includes('s3cret'));
});
