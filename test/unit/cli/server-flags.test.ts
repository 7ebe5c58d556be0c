import test from 'ava';
import { missingServerFlags, reexecWithServerFlags, SERVER_V8_FLAGS, type ServerProcessSurface } from '../../../cli/server-flags.ts';

test('the server flags missing from a command line', (t) => {
  t.deepEqual(missingServerFlags([]), [...SERVER_V8_FLAGS]);
  t.deepEqual(missingServerFlags(['--max-semi-space-size=1']), ['--optimize-for-size']);
  // Any young-generation size the user chose counts; so does V8's underscore spelling.
  t.deepEqual(missingServerFlags(['--max-semi-space-size=8', '--optimize_for_size']), []);
});

function surface(execArgv: string[], env: NodeJS.ProcessEnv = {}, withExecve = true) {
  const calls: { file: string; args: string[]; env: NodeJS.ProcessEnv }[] = [];
  const proc: ServerProcessSurface = {
    execPath: '/usr/bin/node', execArgv, argv: ['/usr/bin/node', '/app/cli/bin.ts', 'server', '--port', '9000'], env: { PATH: '/bin', ...env },
    ...(withExecve ? { execve: ((file: string, args: string[], e: NodeJS.ProcessEnv) => { calls.push({ file, args, env: e }); }) as ServerProcessSurface['execve'] } : {}),
  };
  return { proc, calls };
}

test('`slipway server` without the flags replaces itself with the same arguments and the flags added, once', (t) => {
  const { proc, calls } = surface(['--max-semi-space-size=1', '--inspect']);
  reexecWithServerFlags(proc);
  t.is(calls.length, 1);
  t.is(calls[0]!.file, '/usr/bin/node');
  t.deepEqual(calls[0]!.args, ['/usr/bin/node', '--max-semi-space-size=1', '--inspect', '--optimize-for-size', '/app/cli/bin.ts', 'server', '--port', '9000']);
  t.is(calls[0]!.env.PATH, '/bin', 'the environment is kept');
  // The replacement carries a mark: should it still lack a flag (NODE_OPTIONS cannot give it), it does not loop.
  const again = surface(['--max-semi-space-size=1'], calls[0]!.env);
  reexecWithServerFlags(again.proc);
  t.is(again.calls.length, 0);
});

test('nothing is replaced when the flags are there or Node has no execve', (t) => {
  const full = surface([...SERVER_V8_FLAGS]);
  reexecWithServerFlags(full.proc);
  t.is(full.calls.length, 0);
  const old = surface([], {}, false);
  t.notThrows(() => reexecWithServerFlags(old.proc));
});
