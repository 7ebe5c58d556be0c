import test from 'ava';
import { isSlipwayError, type SlipwayError } from '../../../../../../core/errors.ts';
import { createBuildLog } from '../../../../../../controller/adapters/local/build/build-log.ts';
import { runBuildCommand } from '../../../../../../controller/adapters/local/build/run-build-command.ts';

const run = (argv: string[]) => runBuildCommand({
  argv, cwd: '/', env: { PATH: '/usr/bin:/bin' }, log: createBuildLog(() => {}, 1024), source: 'build',
  deadline: Date.now() + 10_000, timeoutMs: 10_000,
});

test('a program that does not exist fails staging, naming it', async (t) => {
  const error = (await t.throwsAsync(run(['no-such-program', '--flag']))) as SlipwayError;
  t.true(isSlipwayError(error, 'stage_failed'));
  t.is(error.message, 'could not start "no-such-program" for "no-such-program --flag": ENOENT');
});

test('a step killed by a signal says which', async (t) => {
  const error = (await t.throwsAsync(run(['/bin/sh', '-c', 'echo going; kill -KILL $$']))) as SlipwayError;
  t.is(error.message, 'build step "/bin/sh -c echo going; kill -KILL $$" was killed by SIGKILL: going; its last lines are in the staging log', 'without an error line, the last line is quoted');
  t.deepEqual(error.data.log, ['going']);
});

test('a step past an already spent deadline does not start', async (t) => {
  const error = (await t.throwsAsync(runBuildCommand({
    argv: ['/bin/true'], cwd: '/', env: {}, log: createBuildLog(() => {}, 1024), source: 'build', deadline: Date.now() - 1, timeoutMs: 5000,
  }))) as SlipwayError;
  t.regex(error.message, /^build did not finish within 5 s/);
});
