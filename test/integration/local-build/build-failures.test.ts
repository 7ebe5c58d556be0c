import test from 'ava';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isSlipwayError, type SlipwayError } from '../../../core/errors.ts';
import type { LogLine } from '../../../core/ports/runtime.ts';
import { buildRelease, type BuildOptions } from '../../../controller/adapters/local/build/build-release.ts';
import { removeTrees, writeTree, type Tree } from '../../unit/controller/adapters/local/build/write-tree.ts';
import { eventually, livingGroupMembers } from './process-group.ts';

test.after.always(removeTrees);

type Line = Omit<LogLine, 'time'>;

async function start(tree: Tree, extra: Partial<BuildOptions> & { onLine?: (line: Line) => void } = {}) {
  const dir = await writeTree(tree);
  const lines: Line[] = [];
  const { onLine, ...rest } = extra;
  const options: BuildOptions = {
    dir, env: {}, nodeBinDir: dirname(process.execPath), timeoutMs: 60_000, ...rest,
    log: (line) => {
      lines.push(line);
      onLine?.(line);
    },
  };
  return { dir, lines, result: buildRelease(options) };
}

const app = (build: string) => ({ 'package.json': { name: 'app', scripts: { build, start: 'node server.js' } } });

test('a failing build reports its exit code and last lines, and streamed stdout and stderr', async (t) => {
  const { lines, result } = await start(app('for i in $(seq 1 30); do echo line $i; done; echo "error: missing semicolon" >&2; exit 3'));
  const error = (await t.throwsAsync(result)) as SlipwayError;
  t.true(isSlipwayError(error, 'stage_failed'));
  t.is(error.status, 422);
  // The message quotes the first error line, not the last line of output (issue 16: say what to change).
  t.is(error.message, 'build step "npm run build" failed with exit code 3: error: missing semicolon; its last lines are in the staging log');
  t.is(error.data.exitCode, 3);
  const tail = error.data.log as string[];
  t.is(tail.length, 20);
  t.true(tail.includes('line 30'));
  t.true(tail.some((line) => line.includes('error: missing semicolon')));
  t.true(lines.some((line) => line.source === 'build' && line.stream === 'stdout' && line.text === 'line 1'));
  t.true(lines.some((line) => line.source === 'build' && line.stream === 'stderr' && line.text === 'error: missing semicolon'));
});

test('a build calling a missing program fails with the shell\'s message', async (t) => {
  const { result } = await start(app('no-such-tool --make'));
  const error = (await t.throwsAsync(result)) as SlipwayError;
  t.is(error.data.exitCode, 127);
  t.regex((error.data.log as string[]).join('\n'), /no-such-tool: not found/);
});

test('a build printing megabytes is truncated in the log but succeeds', async (t) => {
  const { lines, result } = await start({
    ...app('node build.js'),
    // ~6 MB of lines on stdout, 1 MB on stderr, and one 3 MB line without a newline.
    'build.js': 'for (let i = 0; i < 100000; i++) console.log(`line ${i} ${"x".repeat(50)}`);\n' +
      'for (let i = 0; i < 20000; i++) console.error(`warn ${i} ${"y".repeat(40)}`);\n' +
      'process.stdout.write("z".repeat(3e6));\n',
  });
  const plan = await result;
  t.is(plan.kind, 'node');
  const output = lines.filter((line) => line.stream !== 'system');
  const bytes = output.reduce((sum, line) => sum + Buffer.byteLength(line.text) + 1, 0);
  t.true(bytes <= 1024 * 1024, `${bytes} bytes forwarded`);
  t.true(bytes > 900 * 1024, `${bytes} bytes forwarded`);
  t.is(lines.filter((line) => /^output truncated after 1048576 bytes/.test(line.text)).length, 1);
  t.regex(lines.at(-1)!.text, /^build done in \d+ ms$/);
});

const sleeper = app("cut -d' ' -f5 /proc/$$/stat > pgid; (sleep 60 &); echo sleeping; sleep 60");

async function assertGroupGone(t: import('ava').ExecutionContext, dir: string) {
  const pgid = Number(await readFile(join(dir, 'pgid'), 'utf8'));
  t.true(pgid > 1);
  t.true(await eventually(async () => (await livingGroupMembers(pgid)).length === 0), 'the build\'s process group is gone');
}

test('a build past its deadline is killed with its whole process group', async (t) => {
  const started = Date.now();
  const { dir, lines, result } = await start(sleeper, { timeoutMs: 2000 });
  const error = (await t.throwsAsync(result)) as SlipwayError;
  t.true(isSlipwayError(error, 'stage_failed'));
  t.regex(error.message, /^build did not finish within 2 s \("npm run build" was stopped\)/);
  t.is(error.data.timedOut, true);
  t.true(Date.now() - started < 5000);
  t.true(lines.some((line) => line.text === 'sleeping'));
  await assertGroupGone(t, dir);
});

test('aborting a build kills its whole process group', async (t) => {
  const controller = new AbortController();
  const { dir, result } = await start(sleeper, {
    signal: controller.signal,
    onLine: (line) => line.text === 'sleeping' && controller.abort(new Error('superseded')),
  });
  const error = (await t.throwsAsync(result)) as SlipwayError;
  t.true(isSlipwayError(error, 'stage_failed'));
  t.is(error.message, 'build aborted');
  t.is(error.data.aborted, true);
  t.is((error.cause as Error).message, 'superseded');
  await assertGroupGone(t, dir);
});

test('an already aborted signal runs nothing', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const { lines, result } = await start(app('echo should-not-run'), { signal: controller.signal });
  const error = (await t.throwsAsync(result)) as SlipwayError;
  t.is(error.data.aborted, true);
  t.false(lines.some((line) => line.text === 'should-not-run'));
});

test('processes a successful build leaves behind are stopped with it', async (t) => {
  const { dir, result } = await start(app("cut -d' ' -f5 /proc/$$/stat > pgid; (sleep 60 > /dev/null 2>&1 &); echo done"));
  await result;
  await assertGroupGone(t, dir);
});
