import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '../../../cli/main.ts';

const dirs: string[] = [];
test.after.always(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function run(args: string[], runServer?: (options: { port?: number }) => Promise<unknown>) {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cli-main-'));
  dirs.push(dir);
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, cwd: dir, homedir: dir };
  const code = await main(['node', 'slipway', ...args], { SLIPWAY_CONFIG_DIR: dir }, io, { runServer });
  return { code, stdout, stderr };
}

const exits = test.macro({
  async exec(t, args: string[], code: number, pattern: RegExp) {
    const result = await run(args);
    t.is(result.code, code);
    t.regex(result.stdout + result.stderr, pattern);
  },
  title: (_title, args: string[], code: number) => `slipway ${args.join(' ')} exits ${code}`,
});

test(exits, ['--help'], 0, /Usage: slipway \[options\] \[command\][\s\S]*push[\s\S]*apps[\s\S]*namespaces/);
test(exits, ['push', '--help'], 0, /--git <url\[,revision\]>[\s\S]*Global Options:[\s\S]*--namespace[\s\S]*--url <url>/);
test(exits, ['apps', '--help'], 0, /list[\s\S]*show[\s\S]*delete/);
test(exits, ['help'], 0, /Usage: slipway \[options\] \[command\]/);
test(exits, ['help', 'push'], 0, /--git <url\[,revision\]>/);
test(exits, ['--version'], 0, /^\d+\.\d+\.\d+/);
test(exits, ['deploy-everything'], 2, /unknown command 'deploy-everything'/);
test(exits, ['apps', 'list', '--colour'], 2, /unknown option '--colour'/);
test(exits, ['apps', 'show'], 2, /missing required argument 'name'/);
test(exits, ['--output', 'yaml', 'apps', 'list'], 2, /Allowed choices are text, json/);
test(exits, ['server', '--port', 'http'], 2, /a port is a number from 0 to 65535/);

test('slipway server starts the controller with --port', async (t) => {
  const calls: Array<{ port?: number }> = [];
  const withPort = await run(['server', '--port', '9999'], async (options) => { calls.push(options); });
  t.is(withPort.code, 0);
  const without = await run(['server'], async (options) => { calls.push(options); });
  t.is(without.code, 0);
  t.deepEqual(calls, [{ port: 9999 }, {}], 'without --port the controller reads SLIPWAY_PORT itself');
});

test('an unexpected error is reported without a stack', async (t) => {
  const result = await run(['server'], async () => { throw new TypeError('boom at http://user:pw@host/x'); });
  t.is(result.code, 1);
  t.regex(result.stderr, /^error: unexpected error: boom at http:\/\/\*\*\*@host\/x \(internal\)/);
  t.notRegex(result.stderr, /\n\s+at /);
});

test('node cli/bin.ts --help works as an executable', async (t) => {
  const bin = fileURLToPath(new URL('../../../cli/bin.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [bin, '--help']);
  t.regex(stdout, /Usage: slipway/);
  t.regex(stdout, /server \[options\]/);
});
